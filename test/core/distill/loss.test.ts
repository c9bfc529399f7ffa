/**
 * The `per-term` objective: reflection-loss.json + reflection-loss-grads.safetensors, reproduced with the tiny-llama model on
 * cpu and wasm: the four losses for every case, the gradients of `total` for the gradient case,
 * and no tensor leak across repeated loss+grad evaluations.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detach, reflectionDistillLoss } from '../../../src/core/distill/loss.ts';
import { parseMaskStrategy, studentVisibility, type BlockOrder } from '../../../src/core/distill/masks.ts';
import { generationRow, studentRow, teacherRow } from '../../../src/core/distill/rows.ts';
import { paramGrads } from '../../../src/core/model/grads.ts';
import type { LlamaModel } from '../../../src/core/model/llama.ts';
import { parseSafetensors } from '../../../src/core/model/safetensors.ts';
import { encodeRecord, type EncodedRecord } from '../../../src/core/records/serialize.ts';
import { batchToTensors, disposeBatch, makeHostBatch } from '../../../src/core/train/batch.ts';
import { selectNodeBackend } from '../../../src/platform/node/backend.ts';
import { Rng } from '../../../src/core/rng.ts';
import { loadTinyModel } from '../model/fixture.ts';
import { expectGradsMatchFixture } from '../helpers/grad-compare.ts';
import { FIXTURES, loadReflectionLossFixture, rebuildFixtureRecord, type LossCase } from '../helpers/fixture-record.ts';

const fx = loadReflectionLossFixture();
const { record, tok } = rebuildFixtureRecord(fx);
const enc = encodeRecord(record, tok);
const PAD = 0;

function caseBatch(e: EncodedRecord, c: Pick<LossCase, 'strategy' | 'order' | 'mask_rate'>) {
  const vis = studentVisibility(
    e,
    { strategy: parseMaskStrategy(c.strategy), order: c.order as BlockOrder },
    c.mask_rate,
    new Rng(0),
    'per-term',
  );
  return makeHostBatch([{ teacher: teacherRow(e), student: studentRow(e, vis) }], [], PAD, 'per-term');
}

async function lossValues(model: LlamaModel, host: ReturnType<typeof makeHostBatch>) {
  const batch = batchToTensors(host);
  try {
    const l = tf.tidy(() => {
      const r = reflectionDistillLoss(model, batch);
      return tf.stack([r.ceTeacher, r.ceStudent, r.kl, r.total]);
    });
    const v = await l.data();
    l.dispose();
    return { ceTeacher: v[0]!, ceStudent: v[1]!, kl: v[2]!, total: v[3]! };
  } finally {
    disposeBatch(batch);
  }
}

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-6);

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`reflection distillation loss on ${backend}`, () => {
    let model: LlamaModel;
    beforeAll(async () => {
      await selectNodeBackend(backend);
      model = loadTinyModel();
    });
    afterAll(() => model?.dispose());

    it.each(fx.cases.map((c) => [c.strategy, c.mask_rate, c] as const))(
      '%s rate %s: ce_teacher, ce_student, kl, total',
      async (_s, _r, c) => {
        const got = await lossValues(model, caseBatch(enc, c));
        expect(rel(got.ceTeacher, c.ce_teacher)).toBeLessThan(1e-4);
        expect(rel(got.ceStudent, c.ce_student)).toBeLessThan(1e-4);
        expect(Math.abs(got.kl - c.kl)).toBeLessThan(1e-4 * Math.max(c.kl, 1e-2));
        expect(rel(got.total, c.total)).toBeLessThan(1e-4);
      },
    );

    it('gradients of total (block EAC 0.5, teacher detached in the KL) match the fixture', async () => {
      const ref = parseSafetensors(new Uint8Array(readFileSync(path.join(FIXTURES, fx.gradient_case.file))));
      const batch = batchToTensors(caseBatch(enc, fx.gradient_case));
      const { value, grads } = paramGrads(model, () => reflectionDistillLoss(model, batch).total);
      try {
        const tot = (await value.data())[0]!;
        expect(rel(tot, fx.cases.find((c) => c.strategy === 'block' && c.mask_rate === 0.5)!.total)).toBeLessThan(1e-4);
        await expectGradsMatchFixture(model, grads, ref);
      } finally {
        value.dispose();
        for (const g of grads.values()) g.dispose();
        disposeBatch(batch);
      }
    });

    it('detach passes values and blocks gradients: d/dx Σ detach(x)·x = x, not 2x', async () => {
      const x = tf.tensor1d([1.5, -2, 3]);
      const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(detach(v), v)))(x);
      expect(Array.from(await g.data())).toEqual([1.5, -2, 3]);
      const y = detach(x);
      expect(Array.from(await y.data())).toEqual([1.5, -2, 3]);
      tf.dispose([x, g, y]);
    });

    it('no tensor leak across repeated loss + grad evaluations', async () => {
      const host = caseBatch(enc, fx.gradient_case);
      const run = async () => {
        const batch = batchToTensors(host);
        const { value, grads } = paramGrads(model, () => reflectionDistillLoss(model, batch).total);
        await value.data();
        value.dispose();
        for (const g of grads.values()) g.dispose();
        disposeBatch(batch);
      };
      await run();
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) await run();
      expect(tf.memory().numTensors).toBe(before);
    });

    it('a batch of two records pools token means over the whole batch', async () => {
      // Two copies of the record at different rates + one generation row: pooled means equal the
      // count-weighted means of the single-record values.
      const a = { strategy: 'block', order: 'EAC', mask_rate: 0.2 };
      const b = { strategy: 'all', order: 'EAC', mask_rate: 1 };
      const visA = studentVisibility(enc, a as never, 0.2, undefined, 'per-term');
      const visB = studentVisibility(enc, b as never, 1, undefined, 'per-term');
      const gen: EncodedRecord = { ...enc, type: 'generation', studentTargets: enc.studentTargets.map(() => false) };
      const shortGen = {
        ...gen,
        ids: gen.ids.slice(0, 40),
        annotation: gen.annotation.slice(0, 40),
        teacherTargets: gen.teacherTargets.slice(0, 40),
        studentTargets: gen.studentTargets.slice(0, 40),
      };
      const host = makeHostBatch(
        [
          { teacher: teacherRow(enc), student: studentRow(enc, visA) },
          { teacher: teacherRow(enc), student: studentRow(enc, visB) },
        ],
        [generationRow(shortGen)],
        PAD,
        'per-term',
      );
      expect(host.batchSize).toBe(5);
      const got = await lossValues(model, host);
      const ca = fx.cases.find((c) => c.strategy === 'block' && c.mask_rate === 0.2)!;
      const cb = fx.cases.find((c) => c.strategy === 'all')!;
      expect(rel(got.ceStudent, (ca.ce_student + cb.ce_student) / 2)).toBeLessThan(1e-4);
      expect(rel(got.kl, (ca.kl + cb.kl) / 2)).toBeLessThan(1e-4);
      // Teacher CE pooled with the (padded) generation row's targets.
      const genOnly = await lossValues(model, makeHostBatch([], [generationRow(shortGen)], PAD, 'per-term'));
      const nT = enc.teacherTargets.filter((t, i) => t && i > 0).length;
      const nG = shortGen.teacherTargets.filter((t, i) => t && i > 0).length;
      expect(genOnly.ceStudent).toBe(0);
      expect(genOnly.kl).toBe(0);
      expect(rel(got.ceTeacher, (2 * nT * ca.ce_teacher + nG * genOnly.ceTeacher) / (2 * nT + nG))).toBeLessThan(1e-4);
    });
  });
}
