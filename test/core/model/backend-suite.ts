/**
 * What every per-backend model suite shares: select the backend before its tests (an `optional`
 * backend that cannot start here skips them, with the reason), load the model, free both after; and
 * the check of logits, loss and every parameter gradient against a PyTorch reference.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, expect } from 'vitest';
import type { BackendName } from '../../../src/api/backend.ts';
import { paramGrads } from '../../../src/core/model/grads.ts';
import type { LlamaModel } from '../../../src/core/model/llama.ts';
import { nextTokenCrossEntropy } from '../../../src/core/model/loss.ts';
import type { SafeTensor } from '../../../src/core/model/safetensors.ts';
import { disposeNodeBackends, selectNodeBackend } from '../../../src/platform/node/backend.ts';
import { relErr } from './fixture.ts';
import { countOutside } from './qwen2-fixture.ts';

export interface BackendModel {
  /** Set in beforeAll (unless the backend is unavailable). */
  model: LlamaModel;
  /** Why the backend cannot run here (optional backends only), else null. */
  unavailable: string | null;
}

/** Registers the suite's beforeAll/afterAll: backend, model, cleanup. */
export function withBackendModel(
  backend: BackendName,
  opts: { optional?: boolean },
  load: () => LlamaModel | Promise<LlamaModel>,
): BackendModel {
  const env = { unavailable: null } as BackendModel;
  beforeAll(async () => {
    try {
      await selectNodeBackend(backend);
    } catch (e) {
      if (!opts.optional) throw e;
      env.unavailable = `${backend} unavailable here: ${(e as Error).message}`;
      console.warn(`SKIPPED: ${env.unavailable}`);
      return;
    }
    expect(tf.getBackend()).toBe(backend);
    env.model = await load();
  });
  afterAll(() => {
    env.model?.dispose();
    disposeNodeBackends();
  });
  return env;
}

/**
 * Logits (relative error < 1e-4), loss (< 1e-5) and every parameter gradient (no element outside
 * atol 1e-5 + rtol 1e-3) against `ref` for the ids `[batch, seqLen]`; no tensor leaks. Returns how
 * many gradients there were.
 */
export async function expectReferenceMatch(
  model: LlamaModel,
  ref: Map<string, SafeTensor>,
  [batch, seqLen, vocab]: [number, number, number],
): Promise<number> {
  const before = tf.memory().numTensors;
  const ids = tf.tensor2d(ref.get('input_ids')!.data as Int32Array, [batch, seqLen], 'int32');
  const mask = tf.onesLike(ids);
  const logits = model.forward(ids);
  expect(logits.shape).toEqual([batch, seqLen, vocab]);
  expect(relErr(await logits.data(), ref.get('logits')!.data)).toBeLessThan(1e-4);
  const { value, grads } = paramGrads(model, () => nextTokenCrossEntropy(model.forward(ids), ids, mask));
  const want = ref.get('loss')!.data[0];
  expect(Math.abs((await value.data())[0] - want) / want).toBeLessThan(1e-5);
  const refGrads = [...ref.keys()].filter((k) => k.startsWith('grad.'));
  expect(grads.size).toBe(refGrads.length);
  const count = grads.size;
  for (const [name, g] of grads) {
    const hf = model.toHF(name, g);
    const w = ref.get(`grad.${name}`);
    expect(w, name).toBeDefined();
    const got = await hf.data();
    expect(got.length, name).toBe(w!.data.length);
    expect(countOutside(got, w!.data), `${name}: elements outside atol 1e-5 + rtol 1e-3`).toBe(0);
    tf.dispose([hf, g]);
  }
  tf.dispose([ids, mask, logits, value]);
  expect(tf.memory().numTensors).toBe(before);
  return count;
}
