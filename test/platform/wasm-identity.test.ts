/**
 * The sharing Identity on wasm (src/platform/wasm-identity.ts): a clone takes no new memory, outlives its
 * source, keeps its values when a variable it was cloned from is reassigned, and gradients through saved
 * tensors are unchanged.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disposeNodeBackends, selectNodeBackend } from '../../src/platform/node/backend.ts';

beforeAll(async () => {
  await selectNodeBackend('wasm');
});
afterAll(() => disposeNodeBackends());

describe('wasm Identity shares data', () => {
  it('clones without copying, and the clone outlives its source', async () => {
    const x = tf.tensor1d([1, 2, 3, 4]);
    const y = tf.clone(x);
    expect(y.dataId).toBe(x.dataId); // the same buffer, one more reference
    expect(tf.backend().refCount(x.dataId)).toBe(2);
    x.dispose();
    expect(Array.from(await y.data())).toEqual([1, 2, 3, 4]);
    y.dispose();
  });

  it('keeps a clone of a variable when the variable is reassigned', async () => {
    const v = tf.variable(tf.tensor1d([1, 2]));
    const c = tf.clone(v);
    v.assign(tf.tensor1d([5, 6]));
    expect(Array.from(await c.data())).toEqual([1, 2]);
    expect(Array.from(await v.data())).toEqual([5, 6]);
    tf.dispose([v, c]);
  });

  it('gives gradients through saved tensors (softmax, customGrad) as before', async () => {
    const x = tf.tensor2d([
      [0.5, -1, 2],
      [3, 0, -2],
    ]);
    const { value, grad } = tf.valueAndGrad((t: tf.Tensor) => tf.sum(tf.mul(tf.softmax(t), tf.square(t))))(x);
    const g = Array.from(await grad.data());
    // Reference: d/dx Σ softmax(x)·x² = p·(x² − Σ p·x²)·1 + 2·p·x, per row.
    const rows = [
      [0.5, -1, 2],
      [3, 0, -2],
    ];
    const ref = rows.flatMap((r) => {
      const e = r.map(Math.exp);
      const s = e.reduce((a, b) => a + b, 0);
      const p = e.map((v) => v / s);
      const m = p.reduce((a, pi, i) => a + pi * r[i]! ** 2, 0);
      return r.map((xi, i) => p[i]! * (xi ** 2 - m) + 2 * p[i]! * xi);
    });
    g.forEach((gi, i) => expect(gi).toBeCloseTo(ref[i]!, 5));
    tf.dispose([x, value, grad]);
  });
});
