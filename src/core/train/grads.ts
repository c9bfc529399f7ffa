/**
 * Gradient helpers for one optimizer step: accumulation over micro-batches and global-norm
 * clipping (torch.nn.utils.clip_grad_norm_: scale by min(1, maxNorm / (norm + 1e-6))). Both stay
 * on the device — no data download — so they are safe on the webgpu backend.
 */
import * as tf from '@tensorflow/tfjs';

export type GradMap = Map<string, tf.Tensor>;

/**
 * acc + scale · grads, by name. CONSUMES both `acc` (may be null) and `grads`: they are disposed, or
 * `grads` is returned as it is when there is no acc and scale is 1. A step sums its host batches with
 * scale 1: their losses already carry the 1/gradAccumSteps of the mean over micro-batches (shard.ts;
 * each micro-batch's loss is its own token mean, so this is a mean of means — documented choice).
 */
export function accumulateGrads(acc: GradMap | null, grads: GradMap, scale: number): GradMap {
  // One micro-batch (the usual case): the gradients are the result; no copy per parameter per step.
  if (!acc && scale === 1) return grads;
  const out: GradMap = new Map();
  for (const [name, g] of grads) {
    const prev = acc?.get(name);
    out.set(
      name,
      tf.tidy(() => (prev ? tf.add(prev, tf.mul(g, scale)) : tf.mul(g, scale))),
    );
  }
  if (acc) for (const t of acc.values()) t.dispose();
  for (const t of grads.values()) t.dispose();
  return out;
}

/** Global L2 norm of all gradients, as a scalar tensor. */
export function globalNorm(grads: GradMap): tf.Scalar {
  // Pairwise tf.add, not tf.addN: on webgpu addN with more than 7 inputs exceeds the 8 storage buffers a
  // shader may bind (AddNPackedProgram pipeline invalid) and silently yields 0.
  return tf.tidy(() => {
    const squares = [...grads.values()].map((g) => tf.sum(tf.square(g)));
    const total = squares.reduce((a, b) => tf.add(a, b), tf.scalar(0));
    return tf.sqrt(total) as tf.Scalar;
  });
}

/**
 * Clips by global norm. CONSUMES `grads`; returns the clipped gradients and the norm before clipping
 * (a scalar the caller disposes, read asynchronously for logging). maxNorm 0 = no clipping.
 */
export function clipByGlobalNorm(grads: GradMap, maxNorm: number): { grads: GradMap; norm: tf.Scalar } {
  const norm = globalNorm(grads);
  if (maxNorm <= 0) return { grads, norm };
  const coef = tf.tidy(() => tf.minimum(tf.div(maxNorm, tf.add(norm, 1e-6)), 1)); // scalar
  const out: GradMap = new Map();
  for (const [name, g] of grads) out.set(name, tf.mul(g, coef));
  coef.dispose();
  for (const g of grads.values()) g.dispose();
  return { grads: out, norm };
}
