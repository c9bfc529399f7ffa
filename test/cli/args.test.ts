import { describe, expect, it } from 'vitest';
import { exclusiveArgs, parseArgs, parseIds } from '../../src/cli/args.ts';

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

describe('exclusiveArgs', () => {
  const spec = { values: ['prompt', 'prompt-ids'], flags: [] };
  it('returns whichever of the two was given', () => {
    expect(exclusiveArgs(parseArgs(['--prompt', 'hi'], spec), 'prompt', 'prompt-ids')).toEqual(['hi', undefined]);
    expect(exclusiveArgs(parseArgs(['--prompt-ids', '1 2'], spec), 'prompt', 'prompt-ids')).toEqual([undefined, '1 2']);
    expect(exclusiveArgs(parseArgs([], spec), 'prompt', 'prompt-ids')).toEqual([undefined, undefined]);
  });
  it('refuses both', () => {
    expect(() =>
      exclusiveArgs(parseArgs(['--prompt', 'a', '--prompt-ids', '1'], spec), 'prompt', 'prompt-ids'),
    ).toThrow('give --prompt or --prompt-ids, not both');
  });
});
