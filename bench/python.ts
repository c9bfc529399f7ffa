/**
 * Pyodide in the Node sandbox: cold start (spawn + load + runner), per-run overhead (median of `pass`),
 * a HumanEval-sized check, interrupt latency of an endless loop, and the cost of replacing an interpreter
 * that ignores the interrupt. Writes bench-results/python.json. Chromium numbers are printed by
 * test/browser/reflect.test.ts. No assertions: numbers only.
 */
import { createNodePython } from '../src/cli/python-node.ts';
import { median } from './timing.ts';

const CHECK = `
def has_close_elements(numbers, threshold):
    for i, a in enumerate(numbers):
        for j, b in enumerate(numbers):
            if i != j and abs(a - b) < threshold:
                return True
    return False

def check(candidate):
    assert candidate([1.0, 2.0, 3.9, 4.0, 5.0, 2.2], 0.3) == True
    assert candidate([1.0, 2.0, 3.9, 4.0, 5.0, 2.2], 0.05) == False
    assert candidate([1.0, 2.0, 5.9, 4.0, 5.0], 0.95) == True

check(has_close_elements)
`;

export async function run(): Promise<object> {
  const py = createNodePython({ graceMs: 1000 });
  try {
    const t0 = performance.now();
    const start = await py.start();
    const coldStartMs = performance.now() - t0;
    const pass: number[] = [];
    for (let i = 0; i < 50; i++) pass.push((await py.run('pass', { mode: 'isolated' })).durationMs);
    const check: number[] = [];
    for (let i = 0; i < 20; i++) check.push((await py.run(CHECK, { mode: 'isolated', timeoutMs: 3000 })).durationMs);
    const loop = await py.run('while True:\n    pass', { timeoutMs: 500 });
    const t1 = performance.now();
    const stubborn = await py.run('import time\ntime.sleep(30)', { timeoutMs: 500 });
    const next = await py.run('print(1)');
    const replaceMs = performance.now() - t1;
    return {
      name: 'python',
      when: new Date().toISOString(),
      node: process.version,
      python: start.version,
      coldStartMs: Math.round(coldStartMs),
      loadInSandboxMs: start.loadMs,
      perRunOverheadMedianMs: Number(median(pass).toFixed(3)),
      humanEvalCheckMedianMs: Number(median(check).toFixed(3)),
      interruptedLoop: { status: loop.status, durationMs: Math.round(loop.durationMs), limitMs: 500 },
      sleepReplaced: {
        status: stubborn.status,
        timeoutReturnedAfterMs: Math.round(stubborn.durationMs),
        untilNextRunDoneMs: Math.round(replaceMs),
        nextOk: next.status === 'ok',
      },
    };
  } finally {
    py.dispose();
  }
}
