import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckpointError } from '../../../src/core/errors.ts';
import { argmax, generate, generateWithInfo } from '../../../src/core/model/generate.ts';
import { adjacentToHalfRows, importLlama2c } from '../../../src/core/model/llama2c.ts';
import type { LlamaModel } from '../../../src/core/model/llama.ts';
import { loadModel } from '../../../src/core/model/load.ts';
import { selectNodeBackend } from '../../../src/platform/node/backend.ts';
import { sharedDir } from './fixture.ts';
import { Llama2cReference } from './llama2c-reference.ts';

const binPath = path.join(sharedDir, 'models', 'stories260K.bin');
const haveBin = existsSync(binPath);
const N_TOKENS = 120;

describe('llama2.c row permutation', () => {
  it('maps adjacent pairs (2i, 2i+1) of each head to rotate-half rows (i, i + hd/2)', () => {
    // 2 heads of size 4, one column: old rows labelled by their index.
    const w = Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(Array.from(adjacentToHalfRows(w, 2, 4, 1))).toEqual([0, 2, 1, 3, 4, 6, 5, 7]);
  });
});

describe.skipIf(!haveBin)(haveBin ? 'stories260K.bin' : `stories260K.bin (skipped: ${binPath} is absent)`, () => {
  let bytes: Uint8Array;
  let model: LlamaModel;
  let refIds: number[];
  let refLogits: Float64Array[];

  beforeAll(async () => {
    await selectNodeBackend('wasm');
    bytes = new Uint8Array(readFileSync(binPath));
    model = loadModel({ kind: 'llama2c', bin: bytes });
    // The float64 reference: greedy from BOS (id 1).
    const ref = new Llama2cReference(bytes);
    refIds = [];
    refLogits = [];
    let tok = 1;
    for (let pos = 0; pos < N_TOKENS; pos++) {
      const logits = ref.forward(tok, pos);
      refLogits.push(logits);
      tok = argmax(logits);
      refIds.push(tok);
    }
  });
  afterAll(() => model?.dispose());

  it('imports with the header config (tied, GQA 8/4)', () => {
    expect(model.config).toEqual({
      vocabSize: 512,
      dim: 64,
      nLayers: 5,
      nHeads: 8,
      nKvHeads: 4,
      ffnDim: 172,
      ropeTheta: 10000,
      normEps: 1e-5,
      maxSeqLen: 512,
      tieEmbeddings: true,
    });
  });

  it(`greedy with the KV cache matches the float64 llama2.c reference for ${N_TOKENS} tokens`, async () => {
    const seen: number[] = [];
    const ids = await generate(model, [1], {
      maxNewTokens: N_TOKENS,
      onToken: (id, i) => void seen.push(i === seen.length ? id : -1),
    });
    expect(ids).toEqual(refIds);
    expect(seen).toEqual(ids);
    // And the logits themselves agree (float32 vs float64), position by position.
    const all = tf.tidy(() =>
      model.forward(tf.tensor2d([[1, ...refIds.slice(0, N_TOKENS - 1)]], [1, N_TOKENS], 'int32')),
    );
    const d = await all.data();
    all.dispose();
    let worst = 0;
    for (let p = 0; p < N_TOKENS; p++)
      for (let v = 0; v < 512; v++) worst = Math.max(worst, Math.abs(d[p * 512 + v] - refLogits[p][v]));
    expect(worst).toBeLessThan(2e-3);
  });

  it('greedy by full recompute (no cache) gives exactly the same 100 tokens', async () => {
    const recomputed = await generate(model, [1], { maxNewTokens: 100, useCache: false });
    expect(recomputed).toEqual(refIds.slice(0, 100));
  });

  it('reads the untied variant (negative vocab, classifier after the RoPE tables)', async () => {
    // Same weights with the classifier stored separately: equal to the embedding, so the same tokens.
    const untied = new Uint8Array(bytes.length + 512 * 64 * 4);
    untied.set(bytes);
    untied.set(bytes.subarray(28, 28 + 512 * 64 * 4), bytes.length);
    new DataView(untied.buffer).setInt32(20, -512, true);
    const m = loadModel({ kind: 'llama2c', bin: untied });
    expect(m.config.tieEmbeddings).toBe(false);
    expect(await generate(m, [1], { maxNewTokens: 30 })).toEqual(refIds.slice(0, 30));
    m.dispose();
  });

  it('rejects a truncated file, a wrong-size header and a versioned export, loading nothing', () => {
    const before = tf.memory().numTensors;
    expect(() => importLlama2c(bytes.subarray(0, bytes.length - 4))).toThrow(
      /implies 1056540 bytes, the file has 1056536 \(truncated\?\)/,
    );
    const bad = bytes.slice();
    new DataView(bad.buffer).setInt32(8, 6, true); // n_layers 5 → 6
    expect(() => importLlama2c(bad)).toThrow(CheckpointError);
    const zeroHeads = bytes.slice();
    new DataView(zeroHeads.buffer).setInt32(12, 0, true);
    expect(() => importLlama2c(zeroHeads)).toThrow(/not a valid model/);
    const v1 = bytes.slice(0, 256);
    new DataView(v1.buffer).setUint32(0, 0x616b3432, true);
    expect(() => importLlama2c(v1)).toThrow(/version-0/);
    expect(() => importLlama2c(new Uint8Array(10))).toThrow(/at least the 28-byte header/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('samples reproducibly per seed, honours stop tokens and aborts', async () => {
    const a = await generate(model, [1], { maxNewTokens: 30, temperature: 1, topP: 0.9, seed: 7 });
    const b = await generate(model, [1], { maxNewTokens: 30, temperature: 1, topP: 0.9, seed: 7 });
    const c = await generate(model, [1], { maxNewTokens: 30, temperature: 1, topP: 0.9, seed: 8 });
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
    const stopAt = refIds[5];
    const firstStop = refIds.indexOf(stopAt);
    const info = await generateWithInfo(model, [1], { maxNewTokens: 50, stopTokens: [stopAt] });
    expect(info).toEqual({ ids: refIds.slice(0, firstStop), stoppedBy: 'stop-token', stopToken: stopAt });
    const ctrl = new AbortController();
    const before = tf.memory().numTensors;
    await expect(
      generate(model, [1], {
        maxNewTokens: 50,
        signal: ctrl.signal,
        onToken: (_id, i) => {
          if (i === 3) ctrl.abort();
        },
      }),
    ).rejects.toThrow(/abort/i);
    expect(tf.memory().numTensors).toBe(before);
  });
});
