import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { attemptCode, DEMO_PROBLEMS, demoRecords } from '../../../src/core/data/demo-records.ts';
import { jupyterTraceback, lineOf, REANSWER_PROMPT, reflectionInstruction } from '../../../src/core/data/prompts.ts';
import { parseRecordsJsonl, recordsToJsonl } from '../../../src/core/records/jsonl.ts';
import { validateRecord } from '../../../src/core/records/schema.ts';
import { FIXTURES } from '../helpers/fixture-record.ts';

describe('traceback formatter', () => {
  it('reproduces the fixture example execution block byte for byte', () => {
    const line = readFileSync(path.join(FIXTURES, 'reflection-records-example.jsonl'), 'utf8').split('\n')[0]!;
    const r = validateRecord(JSON.parse(line));
    const code = r.messages[1]!.content[0]!.content;
    expect(
      jupyterTraceback(code, [{ line: lineOf(code, 'assert multiply_digits(0) == 0') }], 'AssertionError', ''),
    ).toBe(r.messages[1]!.content[1]!.content);
  });

  it('formats single-digit arrows, nested frames limited to their function, and skips blank context lines', () => {
    const code = 'def f(x):\n    return 1 / x\n\nf(0)';
    expect(
      jupyterTraceback(code, [{ line: 4 }, { line: 2, fn: 'f(x)' }], 'ZeroDivisionError', 'division by zero'),
    ).toBe(
      '-'.repeat(75) +
        '\nZeroDivisionError                         Traceback (most recent call last)\n' +
        'Cell In[1], line 4\n      1 def f(x):\n      2     return 1 / x\n----> 4 f(0)\n\n' +
        'Cell In[1], line 2, in f(x)\n      1 def f(x):\n----> 2     return 1 / x\n\n' +
        'ZeroDivisionError: division by zero',
    );
    expect(() => jupyterTraceback(code, [{ line: 9 }], 'E', '')).toThrow(RangeError);
    expect(() => jupyterTraceback(code, [{ line: 4, fn: 'f(x)' }], 'E', '')).toThrow(/outside f\(x\)/);
    // Context counts non-blank lines: two either side even across blank lines.
    const spaced = 'a = 1\n\nb = 2\n\nc = 3\n\nd = 4\ne = 5';
    expect(
      jupyterTraceback(spaced, [{ line: 5 }], 'NameError', "name 'x' is not defined")
        .split('\n')
        .slice(3, 8),
    ).toEqual(['      1 a = 1', '      3 b = 2', '----> 5 c = 3', '      7 d = 4', '      8 e = 5']);
  });
});

describe('demo records', () => {
  const records = demoRecords();

  it('are 12–20 valid records of both types that round-trip through JSONL', () => {
    expect(records.length).toBeGreaterThanOrEqual(12);
    expect(records.length).toBeLessThanOrEqual(20);
    expect(records.filter((r) => r.type === 'reflection').length).toBeGreaterThanOrEqual(8);
    expect(records.filter((r) => r.type === 'generation').length).toBeGreaterThanOrEqual(4);
    for (const r of records) expect(validateRecord(JSON.parse(JSON.stringify(r)))).toEqual(r);
    expect(parseRecordsJsonl(recordsToJsonl(records)).records).toEqual(records);
  });

  it('follow the paper loop: code → failing traceback → analysis → code → passing (empty) → analysis', () => {
    for (const [i, p] of DEMO_PROBLEMS.entries()) {
      const r = records[i]!;
      expect(r.messages[0]!.content[0]!.content).toBe(reflectionInstruction(p.problem));
      expect(r.messages[0]!.content[0]!.content).toContain('# Programming Problem');
      const seq = r.messages[1]!.content;
      expect(seq.map((b) => b.type)).toEqual(['code', 'execution', 'text', 'code', 'execution', 'text']);
      expect(seq[1]!.content).toMatch(
        /^-{75}\n\w+Error {2,}Traceback \(most recent call last\)\nCell In\[1\], line \d+\n/,
      );
      expect(seq[4]!.content).toBe('');
      expect(r.messages[2]!.content[0]!.content).toBe(p.problem);
      expect(r.messages[3]!.content[0]!.content).toBe('```python\n' + p.fixed + '\n```');
      // The arrow of the top frame points at the failing assert of the code that was run.
      const code = attemptCode(p, 'buggy');
      const top = Number(/Cell In\[1\], line (\d+)\n/.exec(seq[1]!.content)![1]);
      expect(code.split('\n')[top - 1]).toBe(p.failure.at);
      expect(seq[1]!.content.split('\n')).toContain(
        `${'-'.repeat(7 - String(top).length - 2)}> ${top} ${p.failure.at}`,
      );
      // Buggy and fixed versions differ; the final answer has no tests or prints.
      expect(p.fixed).not.toBe(p.buggy);
      expect(p.fixed).not.toMatch(/^assert|print\(/m);
    }
  });

  it('the stage-2 prompt keeps the paper wording', () => {
    expect(REANSWER_PROMPT).toContain('Your answer should be complete and standalone');
    expect(REANSWER_PROMPT).toContain('between "```python" and "```"');
  });
});
