/**
 * The forward / loss / gradient checks against test/fixtures/tiny-llama, run once per backend
 * (one test file per backend: tf.setBackend is process-global and vitest's forks pool isolates files).
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackendName } from '../../../src/api/backend.ts';
import { paramGrads } from '../../../src/core/model/grads.ts';
import type { LlamaModel } from '../../../src/core/model/llama.ts';
import { nextTokenCrossEntropy } from '../../../src/core/model/loss.ts';
import { disposeNodeBackends, selectNodeBackend } from '../../../src/platform/node/backend.ts';
import { loadTinyModel, reference, relErr } from './fixture.ts';

/**
 * `fixtureOnly` runs just the fixture comparison (WebGPU on SwiftShader compiles a shader per
 * new shape, 5–14 s each: keep its tests few and fixed-shape). `optional` skips, with the reason,
 * when the backend cannot start here (no Vulkan driver for WebGPU).
 */
export function forwardSuite(backend: BackendName, opts: { fixtureOnly?: boolean; optional?: boolean } = {}): void {
  describe(`tiny-llama forward on ${backend}`, () => {
    let model: LlamaModel;
    let unavailable: string | null = null;
    const ref = reference();
    const idsData = ref.get('input_ids')!.data as Int32Array;

    beforeAll(async () => {
      try {
        await selectNodeBackend(backend);
      } catch (e) {
        if (!opts.optional) throw e;
        unavailable = `${backend} unavailable here: ${(e as Error).message}`;
        console.warn(`SKIPPED: ${unavailable}`);
        return;
      }
      expect(tf.getBackend()).toBe(backend);
      model = loadTinyModel();
    });
    afterAll(() => {
      model?.dispose();
      disposeNodeBackends();
    });

    it('reproduces the reference logits, loss and every parameter gradient', async (ctx) => {
      if (unavailable) ctx.skip(unavailable);
      const before = tf.memory().numTensors;
      const ids = tf.tensor2d(idsData, [2, 12], 'int32');
      const mask = tf.onesLike(ids);
      const logits = model.forward(ids);
      expect(logits.shape).toEqual([2, 12, 96]);
      expect(relErr(await logits.data(), ref.get('logits')!.data)).toBeLessThan(1e-4);
      const { value, grads } = paramGrads(model, () => nextTokenCrossEntropy(model.forward(ids), ids, mask));
      const loss = (await value.data())[0];
      expect(Math.abs(loss - ref.get('loss')!.data[0]) / ref.get('loss')!.data[0]).toBeLessThan(1e-5);
      expect(grads.size).toBe(21);
      for (const [name, g] of grads) {
        const hf = model.toHF(name, g);
        const got = await hf.data();
        const want = ref.get(`grad.${name}`)!.data;
        expect(got.length, name).toBe(want.length);
        let bad = 0;
        for (let i = 0; i < want.length; i++) if (Math.abs(got[i] - want[i]) > 1e-5 + 1e-3 * Math.abs(want[i])) bad++;
        expect(bad, `${name}: elements outside atol 1e-5 + rtol 1e-3`).toBe(0);
        hf.dispose();
        g.dispose();
      }
      tf.dispose([ids, mask, logits, value]);
      expect(tf.memory().numTensors).toBe(before);
    });

    if (opts.fixtureOnly) return;

    it('hiding keys equals deleting those tokens while keeping their positions', async () => {
      // Row: 8 tokens, keys 2..4 hidden. A visible query after the gap must equal the forward of the
      // compact sequence [0, 1, 5, 6, 7] at positions [0, 1, 5, 6, 7]; a hidden query (3) sees
      // keys 0, 1 and itself, i.e. the compact sequence [0, 1, 3] at positions [0, 1, 3].
      const row = Array.from(idsData.slice(0, 8));
      const vis = [1, 1, 0, 0, 0, 1, 1, 1];
      const full = tf.tidy(() =>
        model.forward(tf.tensor2d([row], [1, 8], 'int32'), { keyVisible: tf.tensor2d([vis], [1, 8]) }),
      );
      const keep = [0, 1, 5, 6, 7];
      const compact = tf.tidy(() =>
        model.forward(tf.tensor2d([keep.map((i) => row[i])], [1, 5], 'int32'), {
          positions: tf.tensor2d([keep], [1, 5], 'int32'),
        }),
      );
      const hiddenQ = tf.tidy(() =>
        model.forward(tf.tensor2d([[row[0], row[1], row[3]]], [1, 3], 'int32'), {
          positions: tf.tensor2d([[0, 1, 3]], [1, 3], 'int32'),
        }),
      );
      const f = await full.data();
      const c = await compact.data();
      const h = await hiddenQ.data();
      const v = 96;
      keep.forEach((pos, j) =>
        expect(relErr(f.slice(pos * v, pos * v + v), c.slice(j * v, j * v + v)), `position ${pos}`).toBeLessThan(1e-5),
      );
      expect(relErr(f.slice(3 * v, 4 * v), h.slice(2 * v, 3 * v))).toBeLessThan(1e-5);
      // And the gap matters: the causal forward of the same row differs at position 7.
      const causal = tf.tidy(() => model.forward(tf.tensor2d([row], [1, 8], 'int32')));
      expect(relErr((await causal.data()).slice(7 * v), f.slice(7 * v))).toBeGreaterThan(1e-3);
      tf.dispose([full, compact, hiddenQ, causal]);
    });

    it('stays finite when every key is hidden (each position sees only itself)', async () => {
      const logits = tf.tidy(() =>
        model.forward(tf.tensor2d(idsData, [2, 12], 'int32'), { keyVisible: tf.zeros([2, 12]) }),
      );
      const d = await logits.data();
      expect(d.every(Number.isFinite)).toBe(true);
      logits.dispose();
    });

    it('is invariant to a common position shift (RoPE encodes relative distance)', async () => {
      const ids = tf.tensor2d(idsData, [2, 12], 'int32');
      const base = model.forward(ids);
      const shifted = tf.tidy(() =>
        model.forward(ids, {
          positions: tf.add(tf.tile(tf.range(0, 12, 1, 'int32').reshape([1, 12]), [2, 1]), 7) as tf.Tensor2D,
        }),
      );
      expect(relErr(await shifted.data(), await base.data())).toBeLessThan(1e-4);
      tf.dispose([ids, base, shifted]);
    });
  });
}
