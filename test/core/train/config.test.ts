import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors.ts';
import { DEFAULT_TRAIN_CONFIG, validateTrainConfig } from '../../../src/core/train/config.ts';

describe('validateTrainConfig', () => {
  it('fills defaults and keeps given values, including nested sections', () => {
    expect(validateTrainConfig()).toEqual(DEFAULT_TRAIN_CONFIG);
    const c = validateTrainConfig({ lr: 1e-3, mask: { order: 'CAE' }, ablation: { withoutDistillation: true } });
    expect(c.lr).toBe(1e-3);
    expect(c.mask).toEqual({ strategy: 'block', order: 'CAE' });
    expect(c.ablation).toEqual({ withoutDynamicMask: false, withoutDistillation: true, withoutReflectionData: false });
    expect(DEFAULT_TRAIN_CONFIG.mask.order).toBe('EAC'); // defaults not mutated
  });

  it('names unknown keys, also nested ones', () => {
    expect(() => validateTrainConfig({ learningRate: 1 })).toThrow(ConfigError);
    expect(() => validateTrainConfig({ learningRate: 1 })).toThrow(/unknown train config key "learningRate"/);
    expect(() => validateTrainConfig({ mask: { rate: 1 } })).toThrow(/unknown train config key "mask.rate"/);
    expect(() => validateTrainConfig({ lossWeights: { ce: 1 } })).toThrow(/"lossWeights.ce"/);
  });

  it.each([
    [{ lr: 0 }, /lr must be a number in \(0, 1\], found 0/],
    [{ lr: '1e-3' }, /lr must be .* found "1e-3"/],
    [{ batchSize: 2.5 }, /batchSize must be an integer/],
    [{ epochs: -1 }, /epochs/],
    [{ beta2: 1 }, /beta2 must be a number in \[0, 1\)/],
    [{ warmupRatio: 2 }, /warmupRatio/],
    [{ upsampleReflection: 0 }, /upsampleReflection/],
    [
      { mask: { strategy: 'zigzag' } },
      /mask.strategy: unknown mask strategy "zigzag" \(expected one of block, sequential-block, random-block/,
    ],
    [
      { mask: { order: 'EEA' } },
      /mask.order: unknown block order "EEA" \(expected the paper's letters EAC, .* or the official code's etc, /,
    ],
    [{ ablation: { withoutDynamicMask: 1 } }, /ablation.withoutDynamicMask must be true or false/],
    [{ lossWeights: { teacher: 0, student: 0, kl: 0 } }, /at least one/],
    [{ lossWeights: { kl: -1 } }, /lossWeights.kl/],
    [[1], /train config must be an object/],
  ])('rejects %j', (raw, re) => {
    expect(() => validateTrainConfig(raw)).toThrow(re);
  });
});
