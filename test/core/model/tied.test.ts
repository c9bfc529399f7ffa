import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { paramGrads } from '../../../src/core/model/grads.ts';
import { EMBED, LlamaModel, LM_HEAD } from '../../../src/core/model/llama.ts';
import { nextTokenCrossEntropy } from '../../../src/core/model/loss.ts';
import { loadTinyModel, reference, relErr } from './fixture.ts';

describe('tied output head', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('gives the untied model with lm_head = embedding, and the sum of both gradients to the shared matrix', async () => {
    const untiedSrc = loadTinyModel();
    const hf = untiedSrc.toHFTensors();
    untiedSrc.dispose();
    hf.get(LM_HEAD)!.dispose();
    hf.set(LM_HEAD, hf.get(EMBED)!.clone());
    const untied = LlamaModel.fromHFTensors(untiedSrc.config, hf);
    const tiedTensors = new Map(hf);
    tiedTensors.delete(LM_HEAD);
    const tied = LlamaModel.fromHFTensors({ ...untiedSrc.config, tieEmbeddings: true }, tiedTensors);
    for (const t of hf.values()) t.dispose();
    expect(tied.params.has(LM_HEAD)).toBe(false);

    const ids = tf.tensor2d(reference().get('input_ids')!.data as Int32Array, [2, 12], 'int32');
    const mask = tf.onesLike(ids);
    const a = paramGrads(untied, () => nextTokenCrossEntropy(untied.forward(ids), ids, mask));
    const b = paramGrads(tied, () => nextTokenCrossEntropy(tied.forward(ids), ids, mask));
    expect((await b.value.data())[0]).toBeCloseTo((await a.value.data())[0], 6);
    const expected = tf.add(untied.toHF(EMBED, a.grads.get(EMBED)!), untied.toHF(LM_HEAD, a.grads.get(LM_HEAD)!));
    expect(relErr(await tied.toHF(EMBED, b.grads.get(EMBED)!).data(), await expected.data())).toBeLessThan(1e-5);
    const q = 'model.layers.1.self_attn.q_proj.weight';
    expect(relErr(await b.grads.get(q)!.data(), await a.grads.get(q)!.data())).toBeLessThan(1e-5);
    untied.dispose();
    tied.dispose();
  });
});
