/**
 * The wasm-only attention path (2-D-split batched matmuls, head size ≥ 32) against the cpu
 * backend's plain batched matmuls: logits and every gradient of a model with head size 32.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODEL_PRESETS } from '../../../src/core/model/config.ts';
import { paramGrads } from '../../../src/core/model/grads.ts';
import { LlamaModel } from '../../../src/core/model/llama.ts';
import { nextTokenCrossEntropy } from '../../../src/core/model/loss.ts';
import { splitBatchedMatMul } from '../../../src/core/model/ops.ts';
import { selectNodeBackend } from '../../../src/platform/node/backend.ts';
import { normRelErr, relErr } from './fixture.ts';

describe('split batched matmul (wasm attention path)', () => {
  let model: LlamaModel;
  beforeAll(async () => {
    await selectNodeBackend('wasm');
    // dim 64 / 2 heads = head size 32, 1 key/value head: groups B·KV = 2 > 1 → split path on wasm.
    model = LlamaModel.init({ ...MODEL_PRESETS.smoke, vocabSize: 50, nHeads: 2, nKvHeads: 1, maxSeqLen: 32 }, 5);
  });
  afterAll(() => model.dispose());

  it('has the value and gradients of tf.matMul', async () => {
    const a = tf.randomNormal([3, 5, 4], 0, 1, 'float32', 1) as tf.Tensor3D;
    const b = tf.randomNormal([3, 4, 6], 0, 1, 'float32', 2) as tf.Tensor3D;
    const w = tf.randomNormal([3, 5, 6], 0, 1, 'float32', 3);
    const f = (mm: (x: tf.Tensor3D, y: tf.Tensor3D) => tf.Tensor3D) => tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(mm(x as tf.Tensor3D, y as tf.Tensor3D), w)));
    const [ga, gb] = f(splitBatchedMatMul)([a, b]);
    const [ra, rb] = f((x, y) => tf.matMul(x, y))([a, b]);
    expect(relErr(await splitBatchedMatMul(a, b).data(), await tf.matMul(a, b).data())).toBeLessThan(1e-6);
    expect(relErr(await ga.data(), await ra.data())).toBeLessThan(1e-6);
    expect(relErr(await gb.data(), await rb.data())).toBeLessThan(1e-6);
  });

  it('gives a head-size-32 model the logits and gradients of the cpu backend', async () => {
    const ids = [[1, 4, 9, 16, 25, 36, 49, 8, 3, 2], [7, 7, 1, 0, 44, 12, 5, 6, 30, 11]];
    const vis = [[1, 1, 1, 0, 0, 1, 1, 1, 1, 1], [1, 0, 1, 1, 1, 1, 0, 0, 1, 1]];
    const run = async () => {
      const idsT = tf.tensor2d(ids, [2, 10], 'int32');
      const visT = tf.tensor2d(vis, [2, 10]);
      const { value, grads } = paramGrads(model, () => nextTokenCrossEntropy(model.forward(idsT, { keyVisible: visT }), idsT, tf.onesLike(idsT)));
      const out = { loss: (await value.data())[0], grads: new Map<string, Float32Array>() };
      for (const [n, g] of grads) out.grads.set(n, (await g.data()) as Float32Array);
      tf.dispose([idsT, visT, value, ...grads.values()]);
      return out;
    };
    const onWasm = await run();
    await selectNodeBackend('cpu');
    const onCpu = await run();
    await selectNodeBackend('wasm');
    expect(Math.abs(onWasm.loss - onCpu.loss)).toBeLessThan(1e-5);
    for (const [n, g] of onCpu.grads) expect(normRelErr(onWasm.grads.get(n)!, g), n).toBeLessThan(1e-4);
  });
});
