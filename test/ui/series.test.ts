import { describe, expect, it } from 'vitest';
import { smooth, smoothingWeight, stepKind, valueAtOrBefore } from '../../src/ui/train/series.ts';
import { humanMessage, stripErrorPrefix } from '../../src/ui/messages.ts';

describe('training plot series', () => {
  it('classifies instruction-only steps by their zero student terms', () => {
    expect(stepKind({ ce_student: 0, kl: 0 })).toBe('instruction');
    expect(stepKind({ ce_student: 2.5, kl: 0 })).toBe('reflection');
    expect(stepKind({ ce_student: 2.5, kl: 0.1 })).toBe('reflection');
  });

  it('smooths each series over its own points, bias-corrected, leaving gaps as gaps', () => {
    expect(smooth([4, 4, 4], 0.9)).toEqual([4, 4, 4].map(() => expect.closeTo(4, 10)));
    const s = smooth([10, null, 0, null], 0.5);
    expect(s[1]).toBeNull();
    expect(s[3]).toBeNull();
    expect(s[0]).toBeCloseTo(10);
    // (0.5·10·0.5 + 0.5·0) / (1 − 0.25) = 2.5 / 0.75
    expect(s[2]).toBeCloseTo(2.5 / 0.75);
    expect(smooth([1, 5], 0)).toEqual([1, 5]);
    expect(smoothingWeight(5)).toBeLessThan(smoothingWeight(500));
  });

  it('finds the legend value under the cursor or, outside the plot, the latest one', () => {
    const v = [1, null, 3, null];
    expect(valueAtOrBefore(v, 1)).toBe(1);
    expect(valueAtOrBefore(v, 2)).toBe(3);
    expect(valueAtOrBefore(v, null)).toBe(3);
    expect(valueAtOrBefore([], null)).toBeNull();
  });
});

describe('messages for a person', () => {
  it('drops class-name prefixes, also nested ones, and capitalises', () => {
    expect(stripErrorPrefix('UsageError: pick a file first')).toBe('Pick a file first');
    expect(stripErrorPrefix('Error: ConfigError: train.lr must be a number')).toBe('train.lr must be a number');
    expect(humanMessage({ name: 'ConfigError', message: 'ConfigError: lr must be > 0' })).toBe('lr must be > 0');
    expect(humanMessage({ name: 'QuotaExceededError', message: 'quota' })).toMatch(/storage is full/);
    expect(humanMessage({ name: 'AbortError', message: '' })).toBe('Stopped.');
    expect(humanMessage(new Error(''))).toMatch(/^Something went wrong/);
  });
});
