import { describe, expect, it } from 'vitest';
import { MODEL_PRESETS } from '../../../src/core/model/config.ts';
import { defaultRunConfig, modelConfigFor, RUN_PRESETS, validateRunConfig } from '../../../src/services/trainer/run-config.ts';

describe('run config', () => {
  it('every preset default validates to itself', () => {
    for (const p of RUN_PRESETS) expect(validateRunConfig(JSON.parse(JSON.stringify(defaultRunConfig(p))))).toEqual(defaultRunConfig(p));
  });

  it('fills missing keys from the preset and applies overrides on top', () => {
    const c = validateRunConfig({ preset: 'smoke', train: { maxSteps: 40, seed: 7 }, model: { nLayers: 3 } });
    expect(c.train.maxSteps).toBe(40);
    expect(c.train.seed).toBe(7);
    expect(c.train.batchSize).toBe(defaultRunConfig('smoke').train.batchSize);
    const m = modelConfigFor(c, 777);
    expect(m).toMatchObject({ ...MODEL_PRESETS.smoke, nLayers: 3, maxSeqLen: 1024, vocabSize: 777 });
  });

  it.each([
    [{ preset: 'huge' }, /preset must be one of tiny, smoke/],
    [{ preset: 'tiny', colour: 'red' }, /unknown run config key\(s\) "colour"/],
    [{ preset: 'tiny', train: { lr: 0 } }, /lr must be a number in \(0, 1\], found 0/],
    [{ preset: 'tiny', train: { mask: { strategy: 'zigzag' } } }, /mask\.strategy must be one of block/],
    [{ preset: 'tiny', model: { vocabSize: 9 } }, /model\.vocabSize cannot be set/],
    [{ preset: 'tiny', model: { dim: 30 } }, /dim \(30\) must be divisible by nHeads/],
    [{ preset: 'tiny', vocabSize: 100 }, /vocabSize must be an integer in \[266,/],
    [{ preset: 'tiny', train: { maxLen: 2048 } }, /train\.maxLen \(2048\) exceeds the model's maxSeqLen \(1024\)/],
    [{ preset: 'tiny', checkpointEvery: -1 }, /checkpointEvery must be an integer in \[0,/],
    [[], /run config must be a JSON object, found an array/],
  ])('rejects %j', (raw, message) => {
    expect(() => validateRunConfig(raw)).toThrow(message);
    try {
      validateRunConfig(raw);
    } catch (e) {
      expect((e as Error).name).toBe('ConfigError');
    }
  });
});
