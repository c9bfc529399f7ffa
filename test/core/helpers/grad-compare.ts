/** Compares a model's gradients (param layout) with a fixture's HF-layout `grad.<name>` tensors. */
import { expect } from 'vitest';
import type * as tf from '@tensorflow/tfjs';
import type { LlamaModel } from '../../../src/core/model/llama.ts';

/** Every element within atol 1e-5 + rtol 1e-3, and a relative norm error below 1e-4, for every parameter. */
export async function expectGradsMatchFixture(
  model: LlamaModel,
  grads: Map<string, tf.Tensor>,
  ref: Map<string, { shape: number[]; data: Float32Array | ArrayLike<number> }>,
): Promise<void> {
  expect(grads.size).toBe(ref.size);
  for (const [name, g] of grads) {
    const w = ref.get(`grad.${name}`);
    expect(w, name).toBeDefined();
    const hf = model.toHF(name, g);
    const got = await hf.data();
    hf.dispose();
    expect(hf.shape, name).toEqual(w!.shape);
    let bad = 0;
    let dn = 0;
    let wn = 0;
    for (let i = 0; i < got.length; i++) {
      if (Math.abs(got[i]! - w!.data[i]!) > 1e-5 + 1e-3 * Math.abs(w!.data[i]!)) bad++;
      dn += (got[i]! - w!.data[i]!) ** 2;
      wn += w!.data[i]! ** 2;
    }
    expect(bad, `${name}: elements outside atol 1e-5 + rtol 1e-3`).toBe(0);
    expect(Math.sqrt(dn / Math.max(wn, 1e-30)), `${name}: relative norm error`).toBeLessThan(1e-4);
  }
}
