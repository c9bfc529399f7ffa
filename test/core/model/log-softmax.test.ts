/**
 * ops.ts logSoftmax (through the Softmax kernel, gradient from the saved probabilities) against tfjs's own
 * tf.logSoftmax: values and gradients, on cpu and wasm, including rows with a huge logit gap (where max(p) is
 * the only safe way back to log Σ exp) and rank-3 input.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { logSoftmax } from '../../../src/core/model/ops.ts';
import { disposeNodeBackends, selectNodeBackend } from '../../../src/platform/node/backend.ts';

afterAll(() => disposeNodeBackends());

function maxAbsDiff(a: Float32Array | Int32Array | Uint8Array, b: Float32Array | Int32Array | Uint8Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe.each(['cpu', 'wasm'] as const)('logSoftmax on %s', (backend) => {
  it('equals tf.logSoftmax in value and gradient', async () => {
    await selectNodeBackend(backend);
    const x = tf.tidy(() => {
      const base = tf.mul(tf.randomNormal([2, 3, 97], 0, 4, 'float32', 7), 1);
      // Row 0 of batch 0: one logit 200 above the others (exp(−200) underflows in float32).
      const spike = tf.mul(tf.oneHot(tf.tensor1d([5], 'int32'), 97), 200).reshape([1, 1, 97]);
      return tf.add(
        base,
        tf.pad(spike, [
          [0, 1],
          [0, 2],
          [0, 0],
        ]),
      );
    });
    const w = tf.randomNormal([2, 3, 97], 0, 1, 'float32', 8);
    const f = (ls: (t: tf.Tensor) => tf.Tensor) => tf.valueAndGrad((t: tf.Tensor) => tf.sum(tf.mul(ls(t), w)));
    const ours = f(logSoftmax)(x);
    const ref = f((t) => tf.logSoftmax(t))(x);
    const [ov, og, rv, rg, ol, rl] = await Promise.all([
      ours.value.data(),
      ours.grad.data(),
      ref.value.data(),
      ref.grad.data(),
      logSoftmax(x).data(),
      tf.logSoftmax(x).data(),
    ]);
    expect(Number.isFinite(ol[0]!)).toBe(true);
    expect(maxAbsDiff(ol, rl)).toBeLessThan(1e-4);
    expect(Math.abs(ov[0]! - rv[0]!)).toBeLessThan(1e-3 * Math.max(1, Math.abs(rv[0]!)));
    expect(maxAbsDiff(og, rg)).toBeLessThan(1e-5);
    tf.dispose([x, w, ours.value, ours.grad, ref.value, ref.grad]);
  });
});
