/**
 * Data-parallel shards (src/core/train/shard.ts): how a micro-batch's rows are split, and that the
 * shards' losses and gradients add up to the micro-batch's — against the official objective's PyTorch
 * fixture (two records split over two shards), and against the unsplit batch for mixed batches with
 * generation rows under both objectives.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LOSS_WEIGHTS } from '../../../src/core/distill/loss.ts';
import { generationRow, studentRow, teacherRow, type TrainRow } from '../../../src/core/distill/rows.ts';
import type { LlamaModel } from '../../../src/core/model/llama.ts';
import { parseSafetensors } from '../../../src/core/model/safetensors.ts';
import type { Objective } from '../../../src/core/train/config.ts';
import { shardHostBatches, shardRows, type StepRows } from '../../../src/core/train/shard.ts';
import { localRunner } from '../../../src/core/train/step.ts';
import { selectNodeBackend } from '../../../src/platform/node/backend.ts';
import { loadTinyModel } from '../model/fixture.ts';
import { FIXTURES, loadOfficialLossFixture } from '../helpers/fixture-record.ts';
import { expectGradsMatchFixture } from '../helpers/grad-compare.ts';
import { officialEncoded, officialVisibility } from '../distill/official-case.ts';

const fx = loadOfficialLossFixture();
const encs = officialEncoded(fx);
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-6);

function row(kind: TrainRow['kind'], n: number): TrainRow {
  return {
    kind,
    ids: Array.from({ length: n }, (_, i) => i + 1),
    positions: Array.from({ length: n }, (_, i) => i),
    keyVisible: new Array<boolean>(n).fill(true),
    targets: new Array<boolean>(n).fill(true),
  } as TrainRow;
}
const pair = (n: number) => ({ teacher: row('teacher', n), student: row('student', n) });

describe('shardRows', () => {
  it('keeps pairs together, balances tokens longest-first, and keeps the row order inside a shard', () => {
    const rows: StepRows = { pairs: [pair(10), pair(40), pair(20)], others: [row('generation', 50), row('generation', 5)] };
    const shards = shardRows(rows, 2);
    // Items by tokens: pair40 (80), gen50 (50), pair20 (40), pair10 (20), gen5 (5):
    // 80 → s0; 50 → s1; 40 → s1 (90); 20 → s0 (100); 5 → s1 (95).
    expect(shards.map((s) => s.pairs.map((p) => p.teacher.ids.length))).toEqual([[10, 40], [20]]);
    expect(shards.map((s) => s.others.map((r) => r.ids.length))).toEqual([[], [50, 5]]);
    expect(shards[0]!.pairs[0]).toBe(rows.pairs[0]);
  });

  it('gives no empty shard when there are fewer items than the width, and rejects a bad width', () => {
    expect(shardRows({ pairs: [pair(3)], others: [] }, 4)).toHaveLength(1);
    expect(() => shardRows({ pairs: [pair(3)], others: [] }, 0)).toThrow(/width/);
    expect(() => shardRows({ pairs: [pair(3)], others: [] }, 1.5)).toThrow(/width/);
  });

  it('every shard carries the whole micro-batch counts as its denominators; width 1 is the plain batch', () => {
    const rows: StepRows = { pairs: [pair(12), pair(30)], others: [row('generation', 9)] };
    const [whole] = shardHostBatches(rows, 1, 0, 'official');
    expect(whole!.norm).toBeUndefined();
    const shards = shardHostBatches(rows, 3, 0, 'official');
    expect(shards).toHaveLength(3);
    for (const s of shards)
      expect(s.norm).toEqual({ teacher: whole!.counts.teacher, student: whole!.counts.student, kl: whole!.counts.kl });
    expect(shards.reduce((n, s) => n + s.counts.tokens, 0)).toBe(whole!.counts.tokens);
  });
});

describe('sharded losses and gradients (tiny-llama, wasm)', () => {
  let model: LlamaModel;
  beforeAll(async () => {
    await selectNodeBackend('wasm');
    model = loadTinyModel();
  });
  afterAll(() => model?.dispose());

  const caseRows = (): StepRows => ({
    pairs: fx.gradient_case.records.map((name) => {
      const e = encs[name]!;
      return { teacher: teacherRow(e), student: studentRow(e, officialVisibility(e, fx.gradient_case)) };
    }),
    others: [],
  });

  it('the official two-record case split over two shards matches the PyTorch fixture (total and every gradient)', async () => {
    const shards = shardHostBatches(caseRows(), 2, 0, 'official');
    expect(shards.map((s) => s.nPairs)).toEqual([1, 1]);
    const { parts, grads } = await localRunner.run(model, shards, DEFAULT_LOSS_WEIGHTS, 0);
    try {
      const want = fx.cases.find(
        (c) => c.records.length === 2 && c.strategy === 'block' && c.order === 'etc' && c.mask_rate === 0.5,
      )!;
      const p = await parts.data();
      expect(rel(p[0]!, want.total)).toBeLessThan(1e-5);
      expect(rel(p[4]!, want.ce)).toBeLessThan(1e-5);
      expect(rel(p[3]!, want.kl)).toBeLessThan(1e-5);
      const ref = parseSafetensors(new Uint8Array(readFileSync(path.join(FIXTURES, fx.gradient_case.file))));
      await expectGradsMatchFixture(model, grads, ref);
    } finally {
      tf.dispose([parts, ...grads.values()]);
    }
  });

  it.each(['official', 'per-term'] as Objective[])(
    '%s: pairs + generation rows over 1, 2 and 3 shards give the same parts and gradients',
    async (objective) => {
      const [a, b] = [encs.A!, encs.B!];
      const rows: StepRows = {
        pairs: [a, b].map((e) => ({ teacher: teacherRow(e), student: studentRow(e, officialVisibility(e, fx.gradient_case)) })),
        others: [generationRow(b), generationRow(a)],
      };
      const results = [];
      for (const width of [1, 2, 3]) {
        const r = await localRunner.run(model, shardHostBatches(rows, width, 0, objective), { teacher: 1, student: 0.7, kl: 0.4 }, 0);
        const parts = Array.from(await r.parts.data());
        const grads = new Map<string, Float32Array>();
        for (const [n, g] of r.grads) grads.set(n, (await g.data()) as Float32Array);
        tf.dispose([r.parts, ...r.grads.values()]);
        results.push({ parts, grads });
      }
      const [one, ...split] = results;
      for (const s of split) {
        s!.parts.forEach((v, i) => expect(rel(v, one!.parts[i]!), `part ${i}`).toBeLessThan(1e-5));
        for (const [n, g] of one!.grads) {
          const h = s!.grads.get(n)!;
          let dn = 0;
          let wn = 0;
          for (let i = 0; i < g.length; i++) {
            dn += (h[i]! - g[i]!) ** 2;
            wn += g[i]! ** 2;
          }
          expect(Math.sqrt(dn / Math.max(wn, 1e-30)), n).toBeLessThan(1e-5);
        }
      }
    },
  );
});
