/**
 * The wasm-only attention path (one (row, kv head) group at a time with 2-D matmuls: head size ≥ 32,
 * or rows of ≥ 256 keys) against the cpu backend's batched matmuls: loss and every gradient.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODEL_PRESETS } from '../../../src/core/model/config.ts';
import { paramGrads } from '../../../src/core/model/grads.ts';
import { LlamaModel } from '../../../src/core/model/llama.ts';
import { nextTokenCrossEntropy } from '../../../src/core/model/loss.ts';
import { selectNodeBackend } from '../../../src/platform/node/backend.ts';
import { normRelErr } from './fixture.ts';

describe('per-group 2-D attention (wasm path)', () => {
  let model: LlamaModel;
  beforeAll(async () => {
    await selectNodeBackend('wasm');
    // dim 64 / 2 heads = head size 32, 1 key/value head: groups B·KV = 2 > 1 → split path on wasm.
    model = LlamaModel.init(
      {
        ...MODEL_PRESETS.smoke,
        vocabSize: 50,
        nHeads: 2,
        nKvHeads: 1,
        maxSeqLen: 32,
      },
      5,
    );
  });
  afterAll(() => model.dispose());

  it('gives a head-size-32 model the logits and gradients of the cpu backend', async () => {
    const ids = [
      [1, 4, 9, 16, 25, 36, 49, 8, 3, 2],
      [7, 7, 1, 0, 44, 12, 5, 6, 30, 11],
    ];
    const vis = [
      [1, 1, 1, 0, 0, 1, 1, 1, 1, 1],
      [1, 0, 1, 1, 1, 1, 0, 0, 1, 1],
    ];
    await expectSameAsCpu(model, ids, vis);
  });

  it('gives a head-size-16 model with 256-token rows the loss and gradients of the cpu backend', async () => {
    // smoke's heads (4 query, 2 key/value, size 16) at T 256: the long-row trigger of the wasm path.
    const m = LlamaModel.init({ ...MODEL_PRESETS.smoke, vocabSize: 50, maxSeqLen: 256 }, 6);
    try {
      const ids = [0, 1].map((r) => Array.from({ length: 256 }, (_, i) => (i * 17 + r * 5) % 50));
      const vis = [0, 1].map((r) => Array.from({ length: 256 }, (_, i) => ((i + r) % 7 === 3 ? 0 : 1)));
      await expectSameAsCpu(m, ids, vis);
    } finally {
      m.dispose();
    }
  });
});

async function expectSameAsCpu(model: LlamaModel, ids: number[][], vis: number[][]): Promise<void> {
  const [rows, t] = [ids.length, ids[0].length];
  const run = async () => {
    const idsT = tf.tensor2d(ids, [rows, t], 'int32');
    const visT = tf.tensor2d(vis, [rows, t]);
    const { value, grads } = paramGrads(model, () =>
      nextTokenCrossEntropy(model.forward(idsT, { keyVisible: visT }), idsT, tf.onesLike(idsT)),
    );
    const out = {
      loss: (await value.data())[0],
      grads: new Map<string, Float32Array>(),
    };
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
}
