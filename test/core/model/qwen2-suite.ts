/**
 * tiny-qwen2 (a Hub-layout Qwen2 checkpoint: bf16 shards + index, tied head, q/k/v biases,
 * rope_theta 1e6) against the independent PyTorch reference, once per backend.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { BackendName } from '../../../src/api/backend.ts';
import { nextTokenCrossEntropy } from '../../../src/core/model/loss.ts';
import { LoraAdapter } from '../../../src/core/model/lora.ts';
import { loadPeftAdapter } from '../../../src/core/model/peft-folder.ts';
import { nodeModelSource } from '../../../src/platform/node/model-folder.ts';
import { expectReferenceMatch, withBackendModel } from './backend-suite.ts';
import { relErr } from './fixture.ts';
import { countOutside, openTinyQwen, qwenDir, qwenReference } from './qwen2-fixture.ts';

export function qwen2Suite(backend: BackendName, opts: { optional?: boolean } = {}): void {
  describe(`tiny-qwen2 on ${backend}`, () => {
    const env = withBackendModel(backend, opts, async () => (await openTinyQwen()).model);
    const ref = qwenReference();
    const idsData = ref.get('input_ids')!.data as Int32Array;

    it('reproduces the reference logits, loss and every gradient (biases included)', async (ctx) => {
      if (env.unavailable) ctx.skip(env.unavailable);
      await expectReferenceMatch(env.model, ref, [2, 10, 128]);
    });

    it('with the PEFT LoRA adapter: logits, loss, adapter gradients (base frozen) and merged weights', async (ctx) => {
      if (env.unavailable) ctx.skip(env.unavailable);
      const model = env.model;
      const lref = qwenReference('lora/reference.safetensors');
      const adapter = await loadPeftAdapter(nodeModelSource(`${qwenDir}/lora`), model.config);
      expect(adapter.scale).toBe(2);
      adapter.attach(model);
      try {
        const ids = tf.tensor2d(idsData, [2, 10], 'int32');
        const mask = tf.onesLike(ids);
        const logits = model.forward(ids);
        expect(relErr(await logits.data(), lref.get('logits')!.data)).toBeLessThan(1e-4);
        expect(model.trainable.size).toBe(28);
        const { value, grads } = tf.variableGrads(
          () => nextTokenCrossEntropy(model.forward(ids), ids, mask),
          [...model.trainable.values()],
        );
        const want = lref.get('loss')!.data[0];
        expect(Math.abs((await value.data())[0] - want) / want).toBeLessThan(1e-5);
        expect(Object.keys(grads).length).toBe(28); // the base gets no gradient
        for (const [name, v] of model.trainable) {
          const hf = adapter.toHF(name, grads[v.name]);
          expect(countOutside(await hf.data(), lref.get(`grad.${name}`)!.data), name).toBe(0);
          hf.dispose();
        }
        const merged = adapter.mergedWeights(model);
        expect(merged.size).toBe(14);
        for (const [name, t] of merged)
          expect(relErr(await t.data(), lref.get(`merged.${name}`)!.data), name).toBeLessThan(1e-5);
        tf.dispose([ids, mask, logits, value, ...Object.values(grads), ...merged.values()]);
      } finally {
        LoraAdapter.detach(model);
        adapter.dispose();
      }
    });
  });
}
