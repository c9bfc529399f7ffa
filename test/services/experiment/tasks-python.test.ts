/** Every reference solution of every generated task passes its own hidden tests, checked by the evaluator in Pyodide. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allTasks, toHumanEval } from '../../../src/core/tasks/index.ts';
import { createNodePython } from '../../../src/cli/python-node.ts';
import { evaluateProblems } from '../../../src/services/eval/evaluate.ts';
import type { PythonSupervisor } from '../../../src/services/python/supervisor.ts';

let py: PythonSupervisor;
beforeAll(async () => {
  py = createNodePython({ pristine: true, graceMs: 1000 });
  await py.start();
}, 120_000);
afterAll(() => py?.dispose());

describe('task reference solutions in Pyodide', () => {
  it('pass 100% of their hidden tests (canonical mode of the evaluator)', async () => {
    const tasks = allTasks(0);
    const r = await evaluateProblems(tasks.map(toHumanEval), { python: py });
    const failed = r.samples.filter((s) => !s.passed).map((s) => `${s.task_id}: ${s.result}`);
    expect(failed).toEqual([]);
    expect(r.summary.passAtK['pass@1']).toBe(1);
  }, 300_000);
});
