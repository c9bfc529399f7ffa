/**
 * Row gather with a gradient every backend has: tfjs's own gradient of gather is an
 * UnsortedSegmentSum, which tfjs-backend-wasm 4.22 lacks. Here the gradient scatters dy back with
 * ScatterNd (cpu, wasm and webgpu all have it). Indices must be distinct (they are: a head plan lists
 * each position once), so the scatter never has to add duplicates.
 */
import * as tf from '@tensorflow/tfjs';

/** x [N, D], idx int32 [M] (distinct) → x[idx] [M, D]. */
export const gatherRows = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const x = args[0] as tf.Tensor2D;
  const idx = args[1] as tf.Tensor1D;
  const save = args[2] as tf.GradSaveFunc;
  save([idx]);
  const shape = x.shape;
  return {
    value: tf.gather(x, idx, 0),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const i = saved[0] as tf.Tensor1D;
      return [tf.scatterND(tf.reshape(i, [i.shape[0], 1]), dy, shape), tf.zeros(i.shape)];
    },
  };
}) as (x: tf.Tensor2D, idx: tf.Tensor1D) => tf.Tensor2D;
