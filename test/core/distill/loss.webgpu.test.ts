/**
 * The distillation loss and its gradients on WebGPU (Dawn on SwiftShader in Node): the fixture's
 * gradient case only — one fixed shape, since every new shape compiles shaders for seconds here.
 * Skipped, with the reason, when no WebGPU adapter can start.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { reflectionDistillLoss } from '../../../src/core/distill/loss.ts';
import { parseMaskStrategy, studentVisibility, type BlockOrder } from '../../../src/core/distill/masks.ts';
import { studentRow, teacherRow } from '../../../src/core/distill/rows.ts';
import { paramGrads } from '../../../src/core/model/grads.ts';
import type { LlamaModel } from '../../../src/core/model/llama.ts';
import { parseSafetensors, type SafeTensor } from '../../../src/core/model/safetensors.ts';
import { encodeRecord } from '../../../src/core/records/serialize.ts';
import { batchToTensors, disposeBatch, makeHostBatch } from '../../../src/core/train/batch.ts';
import { withBackendModel } from '../model/backend-suite.ts';
import { loadTinyModel } from '../model/fixture.ts';
import {
  FIXTURES,
  loadOfficialLossFixture,
  loadReflectionLossFixture,
  rebuildFixtureRecord,
} from '../helpers/fixture-record.ts';
import { officialCaseBatch, officialEncoded } from './official-case.ts';

/** Every parameter gradient within a relative L2 error of `tol` of the reference's `grad.<name>`. */
async function expectGradsNear(
  model: LlamaModel,
  grads: Map<string, tf.Tensor>,
  ref: Map<string, SafeTensor>,
  tol: number,
): Promise<void> {
  for (const [name, g] of grads) {
    const hf = model.toHF(name, g);
    const got = await hf.data();
    hf.dispose();
    const w = ref.get(`grad.${name}`)!.data;
    let d = 0;
    let n = 0;
    for (let i = 0; i < w.length; i++) {
      d += (got[i]! - w[i]!) ** 2;
      n += w[i]! ** 2;
    }
    expect(Math.sqrt(d / n), name).toBeLessThan(tol);
  }
}

describe('reflection distillation loss on webgpu', () => {
  const env = withBackendModel('webgpu', { optional: true }, loadTinyModel);

  it('official objective: losses and gradients of the two-record batch match reflection-loss-official', async (ctx) => {
    if (env.unavailable) ctx.skip(env.unavailable);
    const model = env.model;
    const fx = loadOfficialLossFixture();
    const gc = fx.gradient_case;
    const want = fx.cases.find(
      (c) => c.records.length === 2 && c.strategy === gc.strategy && c.mask_rate === gc.mask_rate,
    )!;
    const batch = batchToTensors(officialCaseBatch(officialEncoded(fx), gc));
    const ref = parseSafetensors(new Uint8Array(readFileSync(path.join(FIXTURES, gc.file))));
    let parts: tf.Tensor1D | null = null;
    const { value, grads } = paramGrads(model, () => {
      const l = reflectionDistillLoss(model, batch);
      parts = tf.keep(tf.stack([l.ce, l.kl, l.total]) as tf.Tensor1D);
      return l.total;
    });
    try {
      const [ce, kl, total] = Array.from(await parts!.data());
      expect(Math.abs(ce! - want.ce) / want.ce).toBeLessThan(1e-5);
      expect(Math.abs(kl! - want.kl) / want.kl).toBeLessThan(1e-5);
      expect(Math.abs(total! - want.total) / want.total).toBeLessThan(1e-5);
      await expectGradsNear(model, grads, ref, 1e-5);
    } finally {
      tf.dispose([value, parts!, ...grads.values()]);
      disposeBatch(batch);
    }
  }, 180_000);

  it('per-term objective: losses and gradients of the gradient case match reflection-loss', async (ctx) => {
    if (env.unavailable) ctx.skip(env.unavailable);
    const model = env.model;
    const fx = loadReflectionLossFixture();
    const { record, tok } = rebuildFixtureRecord(fx);
    const enc = encodeRecord(record, tok);
    const gc = fx.gradient_case;
    const want = fx.cases.find((c) => c.strategy === gc.strategy && c.mask_rate === gc.mask_rate)!;
    const vis = studentVisibility(
      enc,
      { strategy: parseMaskStrategy(gc.strategy), order: gc.order as BlockOrder },
      gc.mask_rate,
      undefined,
      'per-term',
    );
    const batch = batchToTensors(
      makeHostBatch([{ teacher: teacherRow(enc), student: studentRow(enc, vis) }], [], 0, 'per-term'),
    );
    const ref = parseSafetensors(new Uint8Array(readFileSync(path.join(FIXTURES, gc.file))));
    let parts: tf.Tensor1D | null = null;
    const { value, grads } = paramGrads(model, () => {
      const l = reflectionDistillLoss(model, batch);
      parts = tf.keep(tf.stack([l.ceTeacher, l.ceStudent, l.kl, l.total]) as tf.Tensor1D);
      return l.total;
    });
    try {
      const [ceT, ceS, kl, total] = Array.from(await parts!.data());
      expect(Math.abs(ceT! - want.ce_teacher) / want.ce_teacher).toBeLessThan(1e-4);
      expect(Math.abs(ceS! - want.ce_student) / want.ce_student).toBeLessThan(1e-4);
      expect(Math.abs(kl! - want.kl) / want.kl).toBeLessThan(1e-3);
      expect(Math.abs(total! - want.total) / want.total).toBeLessThan(1e-4);
      await expectGradsNear(model, grads, ref, 1e-3);
    } finally {
      tf.dispose([value, parts!, ...grads.values()]);
      disposeBatch(batch);
    }
  }, 180_000);
});
