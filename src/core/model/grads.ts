/** Loss and gradients of every model parameter, keyed by Hugging Face name. */
import * as tf from '@tensorflow/tfjs';
import type { LlamaModel } from './llama.ts';

/**
 * Runs f (which must return a scalar built from the model's parameters) under tf.variableGrads.
 * Gradients are in the parameter layout (model.toHF converts one to Hugging Face layout); the
 * caller disposes `value` and every gradient.
 */
export function paramGrads(model: LlamaModel, f: () => tf.Scalar): { value: tf.Scalar; grads: Map<string, tf.Tensor> } {
  const vars = [...model.params.values()];
  const { value, grads } = tf.variableGrads(f, vars);
  const out = new Map<string, tf.Tensor>();
  for (const [name, v] of model.params) {
    const g = grads[v.name];
    // A parameter the loss does not touch has no entry: report an explicit zero gradient.
    out.set(name, g ?? tf.zerosLike(v));
  }
  return { value, grads: out };
}
