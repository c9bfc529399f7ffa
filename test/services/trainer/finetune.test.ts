import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CheckpointError } from '../../../src/core/errors.ts';
import { buildStepBatch } from '../../../src/core/train/recipe.ts';
import { lossAndGrads } from '../../../src/core/train/step.ts';
import { FinetuneRun, validateFinetuneConfig } from '../../../src/services/trainer/finetune.ts';
import { selectNodeBackend } from '../../../src/platform/node/backend.ts';
import { nodeModelSource } from '../../../src/platform/node/model-folder.ts';
import { tinyQwenFolder, tinyRecords } from './tiny-qwen-folder.ts';

/** The objective on every record at once (fixed batch, mask rate of step 0), dropout off. */
async function fixedLoss(run: FinetuneRun): Promise<number> {
  run.adapter?.attach(run.model, { train: false });
  const host = buildStepBatch(
    run.encoded,
    run.encoded.map((_, i) => i),
    run.config.train,
    0,
    run.totalSteps,
    run.tokenizer.pad,
  );
  const { parts, grads } = lossAndGrads(run.model, host, run.config.train.lossWeights);
  const total = (await parts.data())[0]!;
  tf.dispose([parts, ...grads.values()]);
  run.adapter?.attach(run.model, { train: true, seed: run.config.train.seed });
  return total;
}

const cfg = (mode: 'lora' | 'full', maxSteps = 6) =>
  validateFinetuneConfig({
    mode,
    lora: { rank: 4, alpha: 8, dropout: 0.1 },
    train: { maxSteps, batchSize: 2, maxLen: 64, lr: 1e-2, warmupRatio: 0, seed: 3 },
  });

describe('fine-tuning tiny-qwen2 with the ReflectionCoder objective', () => {
  let dir: string;
  beforeAll(async () => {
    await selectNodeBackend('wasm');
    dir = tinyQwenFolder();
  });

  it('LoRA: adds the tokens, freezes the base, lowers the loss; AdamW holds only adapter + row moments', async () => {
    const run = await FinetuneRun.create(nodeModelSource(dir), tinyRecords(), cfg('lora', 12));
    try {
      expect(run.added.map((a) => a.id)).toEqual([99, 100, 101, 102, 103, 104, 105]);
      expect(run.model.config.vocabSize).toBe(106);
      const embedBefore = await run.model.params.get('model.embed_tokens.weight')!.data();
      // 2 layers × 7 modules × (A, B) + the tied row delta
      expect([...run.model.trainable.keys()].length).toBe(29);
      const before = await fixedLoss(run);
      while (!run.done) expect(Number.isFinite((await run.trainStep()).loss)).toBe(true);
      const after = await fixedLoss(run);
      expect(after).toBeLessThan(before * 0.8);
      expect(Array.from(await run.model.params.get('model.embed_tokens.weight')!.data())).toEqual(
        Array.from(embedBefore),
      );
      const state = await run.optimizer.exportState();
      expect(Object.keys(state.m).sort()).toEqual([...run.model.trainable.keys()].sort());
    } finally {
      run.dispose();
    }
  });

  it('checkpoint (adapter only, base by sha-256) + resume equals the straight run; another base is refused', async () => {
    const src = nodeModelSource(dir);
    const straight = await FinetuneRun.create(src, tinyRecords(), cfg('lora'));
    for (let i = 0; i < 6; i++) await straight.trainStep();
    const want = await straight.checkpoint();
    straight.dispose();

    const first = await FinetuneRun.create(src, tinyRecords(), cfg('lora'));
    for (let i = 0; i < 3; i++) await first.trainStep();
    const mid = await first.checkpoint();
    first.dispose();
    const j = JSON.parse(mid.json);
    expect(j.base.files.map((f: { name: string }) => f.name)).toEqual([
      'config.json',
      'model.safetensors.index.json',
      'model-00001-of-00002.safetensors',
      'model-00002-of-00002.safetensors',
    ]);
    expect(j.base.files[2].sha256).toMatch(/^[0-9a-f]{64}$/);
    // Adapter only: no base weight in the checkpoint.
    expect(new TextDecoder().decode(mid.safetensors.subarray(0, 20000))).not.toContain(
      '"model.layers.0.mlp.up_proj.weight"',
    );
    const resumed = await FinetuneRun.resume(src, tinyRecords(), mid);
    for (let i = 0; i < 3; i++) await resumed.trainStep();
    const got = await resumed.checkpoint();
    resumed.dispose();
    expect(Buffer.from(got.safetensors).equals(Buffer.from(want.safetensors))).toBe(true);

    const other = tinyQwenFolder();
    const idx = JSON.parse(readFileSync(path.join(other, 'config.json'), 'utf8'));
    writeFileSync(path.join(other, 'config.json'), JSON.stringify({ ...idx, rms_norm_eps: 1e-5 }));
    await expect(FinetuneRun.resume(nodeModelSource(other), tinyRecords(), mid)).rejects.toThrow(CheckpointError);
    await expect(FinetuneRun.resume(nodeModelSource(other), tinyRecords(), mid)).rejects.toThrow(
      /config\.json differs/,
    );
  });

  it('full fine-tuning trains every parameter', async () => {
    const run = await FinetuneRun.create(nodeModelSource(dir), tinyRecords(), cfg('full', 4));
    try {
      expect(run.model.trainable).toBe(run.model.params);
      const before = await run.model.params.get('model.norm.weight')!.data();
      const start = await fixedLoss(run);
      while (!run.done) await run.trainStep();
      expect(await fixedLoss(run)).toBeLessThan(start);
      expect(Array.from(await run.model.params.get('model.norm.weight')!.data())).not.toEqual(Array.from(before));
      expect(tf.memory().numTensors).toBeGreaterThan(0);
    } finally {
      run.dispose();
    }
  });
});
