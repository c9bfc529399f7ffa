/**
 * Ops on FROZEN weights (LoRA mode): the gradient flows to the input only. ops.ts's `linear` and
 * the embedding ops compute every input's gradient in their customGrad (tfjs evaluates a custom
 * gradient for all inputs), which for a frozen base is a wasted weight-sized matmul per linear —
 * as much work as the forward — and a [D, V] one-hot product for the embedding.
 */
import * as tf from '@tensorflow/tfjs';

/**
 * x [N, in] @ w [in, out] → [N, out]; only dx, as plain 2-D matmuls (tfjs-wasm's transposed-operand
 * matmul is ~10× slower). dx = dy @ wᵀ needs a transpose: of w (in·out values) or, as
 * dx = (w @ dyᵀ)ᵀ, of dy and the result (N·(in+out) values) — whichever moves less. For short
 * batches that avoids transposing every base weight at every step.
 */
export function frozenLinear(x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  const [inn, out] = w.shape;
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xi] = args as [tf.Tensor2D];
    const n = xi.shape[0];
    return {
      value: tf.matMul(xi, w), // [N, out]
      gradFunc: (dy: tf.Tensor) => [
        n * (inn + out) < inn * out
          ? tf.transpose(tf.matMul(w, tf.transpose(dy as tf.Tensor2D))) // ([in, out] @ [out, N])ᵀ = [N, in]
          : tf.matMul(dy as tf.Tensor2D, tf.transpose(w)), // [N, in]
      ],
    };
  }) as (x: tf.Tensor2D) => tf.Tensor2D;
  return f(x);
}

/** Rows of a frozen table [V, D] (or columns of [D, V] when `columns`) for ids [N] → [N, D]; no table gradient. */
export function frozenEmbed(table: tf.Tensor2D, ids: tf.Tensor1D, columns: boolean): tf.Tensor2D {
  // Plain gather: tfjs computes a builtin op's input gradients lazily, and the table needs none.
  return (columns ? tf.transpose(tf.gather(table, ids, 1)) : tf.gather(table, ids)) as tf.Tensor2D;
}
