/**
 * reflection-loss-official.json (+ -grads.safetensors): the OFFICIAL ReflectionCoder objective on the
 * tiny-llama model, cpu and wasm. Serialisation and labels (teacher_labels / distillation_labels in the
 * Hugging Face convention), the student attention of every case, ce / kl / total of all 12 cases, and
 * the gradients of the two-record batch case.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reflectionDistillLoss } from '../../../src/core/distill/loss.ts';
import { paramGrads } from '../../../src/core/model/grads.ts';
import type { LlamaModel } from '../../../src/core/model/llama.ts';
import { parseSafetensors } from '../../../src/core/model/safetensors.ts';
import { batchToTensors, disposeBatch, type HostBatch } from '../../../src/core/train/batch.ts';
import { selectNodeBackend } from '../../../src/platform/node/backend.ts';
import { loadTinyModel } from '../model/fixture.ts';
import { FIXTURES, loadOfficialLossFixture } from '../helpers/fixture-record.ts';
import { expectGradsMatchFixture } from '../helpers/grad-compare.ts';
import { officialCaseBatch, officialEncoded, officialVisibility } from './official-case.ts';

const fx = loadOfficialLossFixture();
const encs = officialEncoded(fx);
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-6);

describe('official labels and masks', () => {
  it.each(Object.keys(fx.records))(
    'record %s: ids, teacher labels and distillation labels as the official processor',
    (name) => {
      const r = fx.records[name]!;
      const e = encs[name]!;
      expect(e.ids).toEqual(r.input_ids);
      // labels[t] is the target of the logits at t-1: our teacher / student targets, unshifted.
      expect(e.teacherTargets.map((t, i) => (t && i > 0 ? e.ids[i] : -100))).toEqual(r.teacher_labels);
      expect(e.studentTargets.map((t, i) => (t ? e.ids[i] : -100))).toEqual(r.distillation_labels);
    },
  );

  it.each(fx.cases.map((c, i) => [i, c.strategy, c.order, c.mask_rate, c] as const))(
    'case %i %s %s rate %s: student attention',
    (_i, _s, _o, _r, c) => {
      c.records.forEach((name, k) => {
        const vis = officialVisibility(encs[name]!, c);
        const want = c.student_attention[k]!;
        expect(vis.map((v) => (v ? 1 : 0))).toEqual(want.slice(0, vis.length));
        expect(want.slice(vis.length).every((v) => v === 0)).toBe(true); // padding
      });
    },
  );
});

async function losses(model: LlamaModel, host: HostBatch) {
  const batch = batchToTensors(host);
  try {
    const l = tf.tidy(() => {
      const r = reflectionDistillLoss(model, batch);
      return tf.stack([r.ce, r.kl, r.total]);
    });
    const v = await l.data();
    l.dispose();
    return { ce: v[0]!, kl: v[1]!, total: v[2]! };
  } finally {
    disposeBatch(batch);
  }
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`official objective on ${backend}`, () => {
    let model: LlamaModel;
    beforeAll(async () => {
      await selectNodeBackend(backend);
      model = loadTinyModel();
    });
    afterAll(() => model?.dispose());

    it.each(fx.cases.map((c, i) => [i, c.records.join('+'), c.strategy, c.order, c.mask_rate, c] as const))(
      'case %i (%s) %s %s rate %s: ce, kl, total',
      async (_i, _r, _s, _o, _m, c) => {
        const got = await losses(model, officialCaseBatch(encs, c));
        expect(rel(got.ce, c.ce)).toBeLessThan(1e-5);
        expect(rel(got.kl, c.kl)).toBeLessThan(1e-5);
        expect(rel(got.total, c.total)).toBeLessThan(1e-5);
      },
    );

    it('gradients of total for the two-record batch (block etc 0.5) match the fixture', async () => {
      const ref = parseSafetensors(new Uint8Array(readFileSync(path.join(FIXTURES, fx.gradient_case.file))));
      const batch = batchToTensors(officialCaseBatch(encs, fx.gradient_case));
      const { value, grads } = paramGrads(model, () => reflectionDistillLoss(model, batch).total);
      try {
        const want = fx.cases.find((c) => c.records.length === 2 && c.strategy === 'block')!;
        expect(rel((await value.data())[0]!, want.total)).toBeLessThan(1e-5);
        await expectGradsMatchFixture(model, grads, ref);
      } finally {
        value.dispose();
        for (const g of grads.values()) g.dispose();
        disposeBatch(batch);
      }
    });
  });
}
