import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng.ts';
import { MODEL_PRESETS } from '../../../src/core/model/config.ts';
import { argmax, generate, sample } from '../../../src/core/model/generate.ts';
import { KVCache, LlamaModel } from '../../../src/core/model/llama.ts';
import { selectNodeBackend } from '../../../src/platform/node/backend.ts';
import { relErr } from './fixture.ts';

describe('generation with a KV cache', () => {
  let model: LlamaModel;
  beforeAll(async () => {
    await selectNodeBackend('wasm');
    // Larger-than-default init so the random model has peaked, well-separated logits.
    model = LlamaModel.init({ ...MODEL_PRESETS.smoke, vocabSize: 64, maxSeqLen: 48 }, 11);
  });
  afterAll(() => model.dispose());

  it('cached logits equal full-recompute logits at every step', async () => {
    const seq = [1, 7, 9, 20, 3, 3, 41, 63, 0, 12];
    const cache = new KVCache(model.config.nLayers);
    const full = tf.tidy(() => model.forward(tf.tensor2d([seq], [1, seq.length], 'int32')));
    const fullData = await full.data();
    // Prefill 4 tokens at once, then one token per step.
    const pre = model.forwardCached(tf.tensor2d([seq.slice(0, 4)], [1, 4], 'int32'), cache);
    expect(relErr(await pre.data(), fullData.slice(0, 4 * 64))).toBeLessThan(1e-5);
    for (let p = 4; p < seq.length; p++) {
      const step = tf.tidy(() => model.forwardCached(tf.tensor2d([[seq[p]]], [1, 1], 'int32'), cache));
      expect(relErr(await step.data(), fullData.slice(p * 64, (p + 1) * 64)), `position ${p}`).toBeLessThan(1e-5);
      step.dispose();
    }
    expect(cache.length).toBe(seq.length);
    cache.dispose();
    tf.dispose([full, pre]);
  });

  it('greedy with the cache gives exactly the tokens of greedy by recompute, and stops at a full context', async () => {
    const before = tf.memory().numTensors;
    const a = await generate(model, [1, 5], { maxNewTokens: 60 });
    const b = await generate(model, [1, 5], { maxNewTokens: 60, useCache: false });
    expect(a).toEqual(b);
    expect(a.length).toBe(46); // maxSeqLen 48 − 2 prompt tokens
    expect(tf.memory().numTensors).toBe(before);
  });

  it('validates options by name', async () => {
    await expect(generate(model, [], { maxNewTokens: 3 })).rejects.toThrow(/at least one token/);
    await expect(generate(model, [64], { maxNewTokens: 3 })).rejects.toThrow(/outside the vocabulary \[0, 64\)/);
    await expect(generate(model, [1], { maxNewTokens: 3, topP: 0 })).rejects.toThrow(/topP must be in \(0, 1\]/);
    await expect(generate(model, [1], { maxNewTokens: -1 })).rejects.toThrow(/maxNewTokens/);
  });
});

describe('sampling', () => {
  it('argmax takes the first of equal maxima', () => {
    expect(argmax([0, 3, 1, 3])).toBe(1);
  });

  it('top-p keeps the smallest nucleus and temperature sharpens', () => {
    const logits = [Math.log(0.5), Math.log(0.3), Math.log(0.15), Math.log(0.05)];
    const rng = new Rng(1);
    const counts = (topP: number, t: number) => {
      const c = [0, 0, 0, 0];
      for (let i = 0; i < 4000; i++) c[sample(logits, t, topP, rng)]++;
      return c;
    };
    const nucleus = counts(0.75, 1); // {0.5, 0.3} reach 0.8 ≥ 0.75 → only tokens 0 and 1
    expect(nucleus[2] + nucleus[3]).toBe(0);
    expect(nucleus[0] / 4000).toBeGreaterThan(0.57); // 0.5 / 0.8 = 0.625
    expect(nucleus[0] / 4000).toBeLessThan(0.68);
    expect(counts(0.4, 1)).toEqual([4000, 0, 0, 0]);
    const all = counts(1, 1);
    expect(all[3] / 4000).toBeGreaterThan(0.03);
    expect(all[3] / 4000).toBeLessThan(0.07);
    expect(counts(1, 0.05)[0]).toBeGreaterThan(3990);
  });

  it('Rng state round-trips', () => {
    const r = new Rng(5);
    r.next();
    const s = r.getState();
    const x = [r.next(), r.next()];
    const r2 = new Rng(0);
    r2.setState(s);
    expect([r2.next(), r2.next()]).toEqual(x);
  });
});
