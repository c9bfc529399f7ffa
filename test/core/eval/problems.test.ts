import { describe, expect, it } from 'vitest';
import { DataFormatError, UsageError } from '../../../src/core/errors.ts';
import { parseProblemsJsonl, selectProblems } from '../../../src/core/eval/problems.ts';

const P = (i: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    task_id: `HumanEval/${i}`,
    prompt: `def f${i}(x):\n    """doc"""\n`,
    entry_point: `f${i}`,
    canonical_solution: '    return x\n',
    test: '\n\ndef check(c):\n    assert c(1) == 1\n',
    ...extra,
  });

describe('HumanEval JSONL', () => {
  it('parses the official fields, skips blank lines, ignores extra keys (EvalPlus)', () => {
    const ps = parseProblemsJsonl(`${P(0)}\n\n${P(1, { base_input: [[1]] })}\n`);
    expect(ps.map((p) => p.task_id)).toEqual(['HumanEval/0', 'HumanEval/1']);
    expect(Object.keys(ps[1]).sort()).toEqual(['canonical_solution', 'entry_point', 'prompt', 'task_id', 'test']);
    expect(ps[0].prompt).toBe('def f0(x):\n    """doc"""\n');
  });

  it('is all-or-nothing and names every bad line', () => {
    const text = [
      P(0),
      '{not json',
      JSON.stringify({ task_id: 'x', prompt: 'p' }),
      P(3, { entry_point: 'f 3' }),
      P(4, { test: 7 }),
      P(0),
    ].join('\n');
    let err: unknown;
    try {
      parseProblemsJsonl(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DataFormatError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/5 bad line/);
    expect(msg).toMatch(/line 2: not valid JSON/);
    expect(msg).toMatch(/line 3: missing "canonical_solution", "test", "entry_point"/);
    expect(msg).toMatch(/line 4: "entry_point" must be a Python identifier, found "f 3"/);
    expect(msg).toMatch(/line 5: "test" must be a string, found number/);
    expect(msg).toMatch(/line 6: duplicate task_id "HumanEval\/0" \(first on line 1\)/);
    expect(() => parseProblemsJsonl('[1,2]')).toThrow(/line 1: expected a JSON object, found an array/);
    expect(() => parseProblemsJsonl('\n \n')).toThrow(DataFormatError);
  });

  it('selects the first N or explicit ids in the given order', () => {
    const ps = parseProblemsJsonl([0, 1, 2, 3].map((i) => P(i)).join('\n'));
    expect(selectProblems(ps, { limit: 2 }).map((p) => p.task_id)).toEqual(['HumanEval/0', 'HumanEval/1']);
    expect(selectProblems(ps, { limit: 99 })).toHaveLength(4);
    expect(selectProblems(ps, { ids: ['HumanEval/3', 'HumanEval/1'] }).map((p) => p.task_id)).toEqual([
      'HumanEval/3',
      'HumanEval/1',
    ]);
    expect(selectProblems(ps, {})).toHaveLength(4);
    expect(() => selectProblems(ps, { ids: ['HumanEval/9'] })).toThrow(/unknown task id\(s\): HumanEval\/9/);
    expect(() => selectProblems(ps, { limit: 0 })).toThrow(UsageError);
    expect(() => selectProblems(ps, { limit: 1, ids: ['HumanEval/0'] })).toThrow(/not both/);
  });
});
