/**
 * EvalPlus's statuses for samples that never finish (evalplus/eval/__init__.py untrusted_check): an input that runs
 * past its per-input limit raises inside the process (time_limit) and fast_check makes the set "fail"; a program
 * that hangs while being executed (no time_limit around exec) gets its process killed: "timeout"; a
 * KeyboardInterrupt the program raises itself is caught by `except BaseException`: "fail".
 * A one-input synthetic task in EvalPlus's native layout keeps each run near EvalPlus's 4 s minimum limit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readProblemFile } from '../../../src/core/eval/problem-file.ts';
import { createNodeCheckPool } from '../../../src/cli/python-node.ts';
import { EvalPlusChecker } from '../../../src/services/eval/evalplus-check.ts';
import type { CheckPool } from '../../../src/services/eval/pool.ts';

const task = {
  task_id: 'HumanEval/900',
  prompt: 'def add(a, b):\n',
  entry_point: 'add',
  canonical_solution: '    return a + b\n',
  base_input: [[1, 2]],
  plus_input: [[3, 4]],
  atol: 0,
};
const file = readProblemFile(new TextEncoder().encode(JSON.stringify(task) + '\n'), 'synthetic.jsonl');
if (file.kind !== 'evalplus') throw new Error('synthetic task: expected the EvalPlus layout');
const problem = file.problems[0];

let pool: CheckPool;
beforeAll(async () => {
  pool = createNodeCheckPool(2);
  await pool.start();
}, 120_000);
afterAll(() => pool?.dispose());

describe('EvalPlus statuses of samples that never finish', () => {
  it('right passes; endless inside the function: fail; endless while the program runs: timeout', async () => {
    const checker = new EvalPlusChecker(pool);
    const [right, inside, atTop, selfRaised] = await Promise.all([
      checker.check(problem, { completion: '    return a + b\n' }),
      checker.check(problem, { completion: '    while True:\n        pass\n' }),
      checker.check(problem, { completion: '    return a + b\nwhile True:\n    pass\n' }),
      checker.check(problem, { completion: '    return a + b\nraise KeyboardInterrupt\n' }),
    ]);
    expect([right.base_status, right.plus_status]).toEqual(['pass', 'pass']);
    expect([inside.base_status, inside.plus_status]).toEqual(['fail', 'fail']);
    expect([atTop.base_status, atTop.plus_status]).toEqual(['timeout', 'timeout']);
    // A KeyboardInterrupt the program raises itself is an exception like any other (EvalPlus: fail).
    expect([selfRaised.base_status, selfRaised.plus_status]).toEqual(['fail', 'fail']);
  }, 300_000);
});
