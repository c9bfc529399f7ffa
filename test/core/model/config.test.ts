import { describe, expect, it } from 'vitest';
import {
  configFromHF,
  configToHF,
  countParams,
  MODEL_PRESETS,
  validateConfig,
} from '../../../src/core/model/config.ts';
import { ConfigError } from '../../../src/core/errors.ts';
import { hfParamShapes } from '../../../src/core/model/llama.ts';

const tiny = MODEL_PRESETS.tiny;

describe('LlamaConfig', () => {
  it('accepts every preset and the small preset has 10–30M parameters', () => {
    for (const [name, c] of Object.entries(MODEL_PRESETS)) expect(validateConfig(c), name).toEqual(c);
    expect(Object.keys(MODEL_PRESETS)).toEqual(expect.arrayContaining(['tiny', 'smoke', 'small']));
    const n = countParams(MODEL_PRESETS.small);
    expect(n).toBeGreaterThan(10e6);
    expect(n).toBeLessThan(30e6);
  });

  it('counts parameters exactly like the parameter shapes', () => {
    for (const c of [tiny, MODEL_PRESETS.smoke]) {
      let total = 0;
      for (const s of hfParamShapes(c).values()) total += s.reduce((a, b) => a * b, 1);
      expect(countParams(c)).toBe(total);
    }
    // tiny-llama (untied): 96·32·2 + 2·(32·32·2 + 32·16·2 + 3·32·64 + 64) + 32
    expect(countParams(tiny)).toBe(96 * 32 * 2 + 2 * (32 * 32 * 2 + 32 * 16 * 2 + 3 * 32 * 64 + 64) + 32);
  });

  it('rejects unknown keys, missing keys and impossible values by name', () => {
    expect(() => validateConfig({ ...tiny, dims: 3 })).toThrow(/unknown key\(s\) dims/);
    const { ffnDim: _f, ...noFfn } = tiny;
    expect(() => validateConfig(noFfn)).toThrow(/missing key\(s\) ffnDim/);
    expect(() => validateConfig({ ...tiny, dim: 30 })).toThrow(/dim \(30\) must be divisible by nHeads \(4\)/);
    expect(() => validateConfig({ ...tiny, nKvHeads: 3 })).toThrow(/multiple of nKvHeads/);
    expect(() => validateConfig({ ...tiny, nKvHeads: 8 })).toThrow(ConfigError);
    expect(() => validateConfig({ ...tiny, nLayers: 0 })).toThrow(/nLayers must be a positive integer, found 0/);
    expect(() => validateConfig({ ...tiny, vocabSize: 9.5 })).toThrow(/vocabSize/);
    expect(() => validateConfig({ ...tiny, normEps: -1 })).toThrow(/normEps/);
    expect(() => validateConfig({ ...tiny, tieEmbeddings: 'yes' })).toThrow(/tieEmbeddings must be a boolean/);
    expect(() => validateConfig({ ...tiny, dim: 12, nHeads: 4, nKvHeads: 2 })).toThrow(/must be even/);
    expect(() => validateConfig(null)).toThrow(ConfigError);
  });

  it('round-trips through Hugging Face config.json and rejects what it cannot honour', () => {
    expect(configFromHF(configToHF(MODEL_PRESETS.small))).toEqual(MODEL_PRESETS.small);
    const hf = configToHF(tiny) as Record<string, unknown>;
    expect(() => configFromHF({ ...hf, hidden_act: 'gelu' })).toThrow(/hidden_act "gelu" is not supported/);
    expect(() => configFromHF({ ...hf, rope_scaling: { type: 'dynamic', factor: 2 } })).toThrow(
      /rope_scaling type "dynamic" is not supported/,
    );
    expect(() => configFromHF({ ...hf, hidden_size: '32' })).toThrow(/"hidden_size" must be a number/);
    expect(() => configFromHF({ ...hf, model_type: 'gpt2' })).toThrow(/model_type/);
    const { num_key_value_heads: _k, ...mha } = hf;
    expect(configFromHF(mha).nKvHeads).toBe(tiny.nHeads);
  });
});
