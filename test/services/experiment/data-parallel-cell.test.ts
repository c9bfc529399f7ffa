/**
 * An experiment cell trained data-parallel (runCell with a pool of Node worker-thread replicas) learns
 * the same model as one instance: the same loss curve and validation loss, and the same pass counts.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodePython } from '../../../src/cli/python-node.ts';
import { openNodeReplica } from '../../../src/cli/replica-port.ts';
import { selectNodeBackend } from '../../../src/platform/node/backend.ts';
import { parseExperimentData } from '../../../src/services/experiment/data.ts';
import { EXPERIMENT_PRESETS, type ExperimentPreset } from '../../../src/services/experiment/presets.ts';
import { runCell } from '../../../src/services/experiment/single-run.ts';
import { variantsByName } from '../../../src/services/experiment/variants.ts';
import { DataParallelPool } from '../../../src/services/trainer/data-parallel.ts';

const demo = (f: string) => readFileSync(new URL(`../../../public/demo/${f}`, import.meta.url), 'utf8');
const data = parseExperimentData({
  instruction: demo('instruction.jsonl'),
  reflection: demo('reflection.jsonl'),
  validation: demo('validation.jsonl'),
});
// The smoke preset with 2 records per step (the smoke preset's 1 record gives nothing to share) and a short run.
const preset: ExperimentPreset = {
  ...EXPERIMENT_PRESETS.smoke,
  train: { ...EXPERIMENT_PRESETS.smoke.train, batchSize: 2, maxSteps: 4 },
  evalSeen: 2,
  evalUnseen: 1,
  maxNewTokens: 16,
  curveEvery: 1,
};
const python = createNodePython({ pristine: true, graceMs: 1000 });
let pool: DataParallelPool;
let shardsSent = 0;
beforeAll(async () => {
  await selectNodeBackend('wasm');
  await python.start();
  const inner = openNodeReplica();
  pool = DataParallelPool.open([
    {
      post: (msg, transfer) => {
        if (msg.type === 'grads') shardsSent++;
        inner.post(msg, transfer);
      },
      onReply: (l) => inner.onReply(l),
      terminate: () => inner.terminate(),
    },
  ]);
});
afterAll(() => {
  pool?.dispose();
  python.dispose();
});

describe('an experiment cell on data-parallel replicas', () => {
  it('trains the same curve and validation loss as one instance', async () => {
    const [variant] = variantsByName(['reflectioncoder']);
    const cell = (p: DataParallelPool | null) => runCell({ preset, variant: variant!, seed: 0, data, python, pool: p });
    const one = await cell(null);
    expect(shardsSent).toBe(0);
    const notes: string[] = [];
    const two = await runCell({
      preset,
      variant: variant!,
      seed: 0,
      data,
      python,
      pool,
      onEvent: (e) => e.type === 'note' && notes.push(e.message),
    });
    expect(notes).toEqual([]);
    expect(pool.healthy).toBe(true);
    expect(shardsSent).toBeGreaterThanOrEqual(preset.train.maxSteps! / 2); // the replica computed part of the steps
    expect(two.curve.map((c) => c.step)).toEqual(one.curve.map((c) => c.step));
    two.curve.forEach((c, i) => expect(Math.abs(c.loss - one.curve[i]!.loss)).toBeLessThan(1e-4 * one.curve[i]!.loss));
    expect(Math.abs(two.valLoss! - one.valLoss!)).toBeLessThan(1e-4 * one.valLoss!);
    expect(two.seen.passed).toBe(one.seen.passed);
  }, 180_000);
});
