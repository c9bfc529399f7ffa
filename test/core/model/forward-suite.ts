/**
 * The forward / loss / gradient checks against test/fixtures/tiny-llama, run once per backend
 * (one test file per backend: tf.setBackend is process-global and vitest's forks pool isolates files).
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { BackendName } from '../../../src/api/backend.ts';
import type { LlamaModel } from '../../../src/core/model/llama.ts';
import { expectReferenceMatch, withBackendModel } from './backend-suite.ts';
import { loadTinyModel, reference, relErr } from './fixture.ts';

/**
 * `fixtureOnly` runs just the fixture comparison (WebGPU on SwiftShader compiles a shader per
 * new shape, 5–14 s each: keep its tests few and fixed-shape). `optional` skips, with the reason,
 * when the backend cannot start here (no Vulkan driver for WebGPU).
 */
export function forwardSuite(backend: BackendName, opts: { fixtureOnly?: boolean; optional?: boolean } = {}): void {
  describe(`tiny-llama forward on ${backend}`, () => {
    const env = withBackendModel(backend, opts, loadTinyModel);
    const ref = reference();
    const idsData = ref.get('input_ids')!.data as Int32Array;

    it('reproduces the reference logits, loss and every parameter gradient', async (ctx) => {
      if (env.unavailable) ctx.skip(env.unavailable);
      expect(await expectReferenceMatch(env.model, ref, [2, 12, 96])).toBe(21);
    });

    if (opts.fixtureOnly) return;
    const model = (): LlamaModel => env.model;

    it('hiding keys equals deleting those tokens while keeping their positions', async () => {
      // Row: 8 tokens, keys 2..4 hidden. A visible query after the gap must equal the forward of the
      // compact sequence [0, 1, 5, 6, 7] at positions [0, 1, 5, 6, 7]; a hidden query (3) sees
      // keys 0, 1 and itself, i.e. the compact sequence [0, 1, 3] at positions [0, 1, 3].
      const row = Array.from(idsData.slice(0, 8));
      const vis = [1, 1, 0, 0, 0, 1, 1, 1];
      const full = tf.tidy(() =>
        model().forward(tf.tensor2d([row], [1, 8], 'int32'), { keyVisible: tf.tensor2d([vis], [1, 8]) }),
      );
      const keep = [0, 1, 5, 6, 7];
      const compact = tf.tidy(() =>
        model().forward(tf.tensor2d([keep.map((i) => row[i])], [1, 5], 'int32'), {
          positions: tf.tensor2d([keep], [1, 5], 'int32'),
        }),
      );
      const hiddenQ = tf.tidy(() =>
        model().forward(tf.tensor2d([[row[0], row[1], row[3]]], [1, 3], 'int32'), {
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
      const causal = tf.tidy(() => model().forward(tf.tensor2d([row], [1, 8], 'int32')));
      expect(relErr((await causal.data()).slice(7 * v), f.slice(7 * v))).toBeGreaterThan(1e-3);
      tf.dispose([full, compact, hiddenQ, causal]);
    });

    it('stays finite when every key is hidden (each position sees only itself)', async () => {
      const logits = tf.tidy(() =>
        model().forward(tf.tensor2d(idsData, [2, 12], 'int32'), { keyVisible: tf.zeros([2, 12]) }),
      );
      const d = await logits.data();
      expect(d.every(Number.isFinite)).toBe(true);
      logits.dispose();
    });

    it('is invariant to a common position shift (RoPE encodes relative distance)', async () => {
      const ids = tf.tensor2d(idsData, [2, 12], 'int32');
      const base = model().forward(ids);
      const shifted = tf.tidy(() =>
        model().forward(ids, {
          positions: tf.add(tf.tile(tf.range(0, 12, 1, 'int32').reshape([1, 12]), [2, 1]), 7) as tf.Tensor2D,
        }),
      );
      expect(relErr(await shifted.data(), await base.data())).toBeLessThan(1e-4);
      tf.dispose([ids, base, shifted]);
    });
  });
}
