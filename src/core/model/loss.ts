/** Next-token cross-entropy with a target mask (the teacher / instruction loss of docs/METHOD.md §2–3). */
import * as tf from '@tensorflow/tfjs';
import { ShapeError } from '../errors.ts';
import { logSoftmax, oneHotFloat } from './ops.ts';

/**
 * Token mean of next-token cross-entropy: token i (i ≥ 1) with targetMask[b, i] = 1 is predicted
 * by logits[b, i-1]. Returns 0 (not NaN) when no token is a target. Written with logSoftmax and a
 * one-hot product rather than a gather, whose gradient wasm lacks.
 */
export function nextTokenCrossEntropy(logits: tf.Tensor3D, inputIds: tf.Tensor2D, targetMask: tf.Tensor2D): tf.Scalar {
  const [b, t, v] = logits.shape;
  if (inputIds.shape[0] !== b || inputIds.shape[1] !== t)
    throw new ShapeError(`inputIds: expected [${b}, ${t}] like logits, found [${inputIds.shape}]`);
  if (targetMask.shape[0] !== b || targetMask.shape[1] !== t)
    throw new ShapeError(`targetMask: expected [${b}, ${t}] like logits, found [${targetMask.shape}]`);
  if (t < 2) return tf.scalar(0);
  return tf.tidy(() => {
    const logp = logSoftmax(tf.slice(logits, [0, 0, 0], [b, t - 1, v])); // [B, T-1, V]
    const targets = tf.slice(tf.cast(inputIds, 'int32'), [0, 1], [b, t - 1]); // [B, T-1]
    const nll = tf.neg(tf.sum(tf.mul(logp, oneHotFloat(targets, v)), -1)); // [B, T-1]
    const m = tf.slice(tf.cast(targetMask, 'float32'), [0, 1], [b, t - 1]); // [B, T-1]
    return tf.div(tf.sum(tf.mul(nll, m)), tf.maximum(tf.sum(m), 1)) as tf.Scalar;
  });
}
