import { describe, expect, it } from 'vitest';
import { getKey, pyJsonObjectLine } from '../../../src/core/eval/pyjson.ts';

describe('pyJsonObjectLine (problem files and samples read their lines through it)', () => {
  it('returns the object of a line (Python JSON: NaN allowed)', () => {
    const errors: string[] = [];
    const obj = pyJsonObjectLine(3, '{"task_id": "T/0", "x": NaN}', errors);
    expect(errors).toEqual([]);
    expect(getKey(obj!, 'task_id')).toEqual({ t: 'str', v: 'T/0' });
  });

  it('collects the reason, with the line number, for invalid JSON and non-objects', () => {
    const errors: string[] = [];
    expect(pyJsonObjectLine(1, '{"a": ', errors)).toBeNull();
    expect(pyJsonObjectLine(2, '[1, 2]', errors)).toBeNull();
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/^line 1: not valid JSON \(.+\)$/);
    expect(errors[1]).toBe('line 2: expected a JSON object');
  });
});
