import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CheckpointError, ConfigError } from '../../../src/core/errors.ts';
import { configToHF, MODEL_PRESETS } from '../../../src/core/model/config.ts';
import { LlamaModel } from '../../../src/core/model/llama.ts';
import { loadModel, saveModel } from '../../../src/core/model/load.ts';
import { halfToFloat, parseSafetensors, writeSafetensors } from '../../../src/core/model/safetensors.ts';
import { readFixture } from './fixture.ts';

/** A file with one tensor of the given dtype and raw little-endian bytes. */
function rawFile(dtype: string, shape: number[], data: Uint8Array, extraHeader = ''): Uint8Array {
  const json = new TextEncoder().encode(
    JSON.stringify({ t: { dtype, shape, data_offsets: [0, data.length] } }).slice(0, -1) + extraHeader + '}',
  );
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}
const u16 = (...v: number[]) => new Uint8Array(Uint16Array.from(v).buffer);

describe('safetensors', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('reads the fixture files (names, shapes, dtypes, metadata)', () => {
    const meta: Record<string, string> = {};
    const m = parseSafetensors(readFixture('model.safetensors'), meta);
    expect(meta).toEqual({ format: 'pt' });
    expect(m.size).toBe(21);
    expect(m.get('model.layers.1.self_attn.k_proj.weight')!.shape).toEqual([16, 32]);
    const ref = parseSafetensors(readFixture('forward-reference.safetensors'));
    expect(ref.get('input_ids')!.dtype).toBe('I32');
    expect(ref.get('input_ids')!.data).toBeInstanceOf(Int32Array);
  });

  it('decodes float16 and bfloat16 to known values', () => {
    // f16: 1, -2, 0.5, 65504 (max), 2^-24 (smallest subnormal), +inf, 0x3555 ≈ 0.333251953125
    const f16 = parseSafetensors(rawFile('F16', [7], u16(0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001, 0x7c00, 0x3555)));
    expect(Array.from(f16.get('t')!.data)).toEqual([1, -2, 0.5, 65504, 2 ** -24, Infinity, 0.333251953125]);
    expect(Number.isNaN(halfToFloat(0x7e00))).toBe(true);
    // bf16 is the top half of float32: 1, -2, 3.140625 (0x4049), -123.5 (0xc2f7: exponent 2^6, mantissa 1 + 119/128)
    const bf16 = parseSafetensors(rawFile('BF16', [4], u16(0x3f80, 0xc000, 0x4049, 0xc2f7)));
    expect(Array.from(bf16.get('t')!.data)).toEqual([1, -2, 3.140625, -123.5]);
  });

  it('rejects every malformation with a CheckpointError that says what is wrong', () => {
    const good = readFixture('model.safetensors');
    expect(() => parseSafetensors(good.subarray(0, 5))).toThrow(/at least 8/);
    expect(() => parseSafetensors(good.subarray(0, good.length - 4))).toThrow(/truncated|data bytes/);
    expect(() => parseSafetensors(good.subarray(0, 100))).toThrow(
      /header says \d+ header bytes but the file has only 92/,
    );
    const extra = new Uint8Array(good.length + 4);
    extra.set(good);
    expect(() => parseSafetensors(extra)).toThrow(/describes \d+ data bytes but the file has \d+/);
    expect(() => parseSafetensors(rawFile('F64', [1], new Uint8Array(8)))).toThrow(
      /dtype "F64"; supported: F32, F16, BF16, I32, I64/,
    );
    expect(() => parseSafetensors(rawFile('F32', [3], new Uint8Array(8)))).toThrow(
      /needs 12 bytes, its offsets span 8/,
    );
    expect(() => parseSafetensors(rawFile('F32', [2], new Uint8Array(8), ',"__metadata__":{"a":1}'))).toThrow(
      /__metadata__/,
    );
    const notJson = rawFile('F32', [2], new Uint8Array(8));
    notJson[9] = 0x7b; // '{{'
    expect(() => parseSafetensors(notJson)).toThrow(/not valid UTF-8 JSON/);
    const big = new Uint8Array(16);
    new DataView(big.buffer).setUint32(4, 1, true);
    expect(() => parseSafetensors(big)).toThrow(/impossible/);
    for (const f of [() => parseSafetensors(good.subarray(0, good.length - 1))]) expect(f).toThrow(CheckpointError);
  });

  it('writes models (untied and tied) that reload bit-identically, and loads the fixture model', async () => {
    const before = tf.memory().numTensors;
    for (const preset of ['tiny', 'smoke']) {
      const model = LlamaModel.init(MODEL_PRESETS[preset], 3);
      const saved = await saveModel(model);
      const back = loadModel({ kind: 'hf', config: saved.configJson, safetensors: saved.safetensors });
      expect(back.config).toEqual(model.config);
      // Hugging Face layout on disk: [vocab, dim] embedding even when stored [dim, vocab] (tied).
      expect(parseSafetensors(saved.safetensors).get('model.embed_tokens.weight')!.shape).toEqual([
        model.config.vocabSize,
        model.config.dim,
      ]);
      for (const [name, v] of model.params) {
        const a = new Uint32Array(((await v.data()) as Float32Array).buffer);
        const b = new Uint32Array(((await back.params.get(name)!.data()) as Float32Array).buffer);
        expect(Array.from(b), `${preset} ${name}`).toEqual(Array.from(a));
      }
      // Writing is deterministic: the reloaded model writes the same bytes.
      expect((await saveModel(back)).safetensors).toEqual(saved.safetensors);
      model.dispose();
      back.dispose();
    }
    const fixture = loadModel({
      kind: 'hf',
      config: readFixture('config.json'),
      safetensors: readFixture('model.safetensors'),
    });
    const emb = await fixture.params.get('model.embed_tokens.weight')!.data();
    expect(Array.from(emb.slice(0, 4))).toEqual(
      Array.from(parseSafetensors(readFixture('model.safetensors')).get('model.embed_tokens.weight')!.data.slice(0, 4)),
    );
    fixture.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a config that does not fit the weights, or missing tensors, leaking nothing', () => {
    const before = tf.memory().numTensors;
    const weights = readFixture('model.safetensors');
    const hf = configToHF(MODEL_PRESETS.tiny) as Record<string, unknown>;
    expect(() => loadModel({ kind: 'hf', config: { ...hf, intermediate_size: 48 }, safetensors: weights })).toThrow(
      /mlp.gate_proj.weight: expected shape \[48,32\] for this config, found \[64,32\]/,
    );
    expect(() => loadModel({ kind: 'hf', config: { ...hf, num_hidden_layers: 3 }, safetensors: weights })).toThrow(
      /missing 9 tensor\(s\): model.layers.2/,
    );
    expect(() => loadModel({ kind: 'hf', config: { ...hf, num_hidden_layers: 1 }, safetensors: weights })).toThrow(
      /unexpected tensor\(s\).*model.layers.1/,
    );
    expect(() => loadModel({ kind: 'hf', config: { ...hf, tie_word_embeddings: 'no' }, safetensors: weights })).toThrow(
      ConfigError,
    );
    expect(() => loadModel({ kind: 'hf', config: '{not json', safetensors: weights })).toThrow(
      /config.json is not valid JSON/,
    );
    const ids = new Map([['model.embed_tokens.weight', { shape: [2], data: Int32Array.from([1, 2]) }]]);
    expect(() => loadModel({ kind: 'hf', config: hf, safetensors: writeSafetensors(ids) })).toThrow(
      /is I32; model weights must be F32/,
    );
    expect(tf.memory().numTensors).toBe(before);
  });
});
