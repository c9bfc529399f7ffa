import { describe, expect, it } from 'vitest';
import { MODEL_PRESETS } from '../../../src/core/model/config.ts';
import {
  defaultRunConfig,
  modelConfigFor,
  RUN_PRESETS,
  validateRunConfig,
} from '../../../src/core/train/run-config.ts';

describe('run config', () => {
  it('every preset default validates to itself', () => {
    for (const p of RUN_PRESETS)
      expect(validateRunConfig(JSON.parse(JSON.stringify(defaultRunConfig(p))))).toEqual(defaultRunConfig(p));
  });

  it('fills missing keys from the preset and applies overrides on top', () => {
    const c = validateRunConfig({ preset: 'smoke', train: { maxSteps: 40, seed: 7 }, model: { nLayers: 3 } });
    expect(c.train.maxSteps).toBe(40);
    expect(c.train.seed).toBe(7);
    expect(c.train.batchSize).toBe(defaultRunConfig('smoke').train.batchSize);
    const m = modelConfigFor(c, 777);
    expect(m).toMatchObject({ ...MODEL_PRESETS.smoke, nLayers: 3, maxSeqLen: 1024, vocabSize: 777 });
  });

  it("the released recipe carries the official command's knobs; given train keys win, nested ones key by key", () => {
    const c = validateRunConfig({
      preset: 'smoke',
      recipe: 'released',
      model: { maxSeqLen: 4096 },
      train: { mask: { strategy: 'three-strategies' } },
    });
    expect(c.recipe).toBe('released');
    expect(c.train).toMatchObject({
      lr: 5e-5,
      warmupRatio: 0.05,
      epochs: 2,
      upsampleReflection: 2,
      maxLen: 4096,
      seed: 3407,
      batchSize: 1,
      gradAccumSteps: 512,
      objective: 'official',
      batching: 'official',
    });
    expect(c.train.mask).toEqual({ strategy: 'three-strategies', order: 'ACE' });
    expect(validateRunConfig({ preset: 'smoke', recipe: 'paper', model: { maxSeqLen: 4096 } }).train.mask.order).toBe(
      'EAC',
    );
    expect(validateRunConfig({ preset: 'smoke' }).recipe).toBe('app');
    // An order in the official letters is accepted and stored in the paper's.
    expect(validateRunConfig({ preset: 'smoke', train: { mask: { order: 'tce' } } }).train.mask.order).toBe('ACE');
  });

  it.each([
    [{ preset: 'huge' }, /preset must be one of tiny, smoke/],
    [{ preset: 'tiny', colour: 'red' }, /unknown run config key\(s\) "colour"/],
    [{ preset: 'tiny', train: { lr: 0 } }, /lr must be a number in \(0, 1\], found 0/],
    [{ preset: 'tiny', train: { mask: { strategy: 'zigzag' } } }, /mask\.strategy: unknown mask strategy "zigzag"/],
    [{ preset: 'tiny', recipe: 'fast' }, /recipe must be one of app, released, paper, found "fast"/],
    [{ preset: 'tiny', recipe: 'released' }, /train\.maxLen \(4096\) exceeds the model's maxSeqLen \(1024\)/],
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
