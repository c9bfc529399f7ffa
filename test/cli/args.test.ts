import { describe, expect, it } from 'vitest';
import { parseIds } from '../../src/cli/args.ts';

describe('parseIds', () => {
  it('reads ids separated by spaces and/or commas', () => {
    expect(parseIds('1', 'prompt-ids')).toEqual([1]);
    expect(parseIds('1 403 12', 'prompt-ids')).toEqual([1, 403, 12]);
    expect(parseIds(' 1,403, 12 ', 'prompt-ids')).toEqual([1, 403, 12]);
  });

  it('refuses empty, negative, fractional and non-numeric ids, naming the option', () => {
    for (const raw of ['', ' , ', '-1', '1.5', '1 x'])
      expect(() => parseIds(raw, 'stop-ids')).toThrow(/^--stop-ids: expected non-negative integer ids/);
    expect(() => parseIds('x', 'stop-ids')).toThrowError(expect.objectContaining({ name: 'UsageError' }));
  });
});
