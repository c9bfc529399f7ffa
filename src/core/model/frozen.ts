/**
 * Ops on FROZEN weights (LoRA mode): the gradient flows to the input only. ops.ts's `linear` and
 * the embedding ops compute every input's gradient in their customGrad (tfjs evaluates a custom
 * gradient for all inputs), which for a frozen base is a wasted weight-sized matmul per linear —
 * as much work as the forward — and a [D, V] one-hot product for the embedding.
 */
import * as tf from '@tensorflow/tfjs';

/** x [N, in] @ w [in, out] → [N, out]; dx = dy @ wᵀ (explicit transpose, then a plain 2-D matmul), no dw. */
export function frozenLinear(x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xi] = args as [tf.Tensor2D];
    return {
      value: tf.matMul(xi, w), // [N, out]
      gradFunc: (dy: tf.Tensor) => [tf.matMul(dy as tf.Tensor2D, tf.transpose(w))], // [N, in]
    };
  }) as (x: tf.Tensor2D) => tf.Tensor2D;
  return f(x);
}

/** Rows of a frozen table [V, D] (or columns of [D, V] when `columns`) for ids [N] → [N, D]; no table gradient. */
export function frozenEmbed(table: tf.Tensor2D, ids: tf.Tensor1D, columns: boolean): tf.Tensor2D {
  // Plain gather: tfjs computes a builtin op's input gradients lazily, and the table needs none.
  return (columns ? tf.transpose(tf.gather(table, ids, 1)) : tf.gather(table, ids)) as tf.Tensor2D;
}
