/**
 * The demo records' execution blocks are what the project's own Python service (Pyodide) prints
 * when it runs the code: every failing traceback byte for byte, and every retest passes silently.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { attemptCode, DEMO_PROBLEMS, demoRecords } from '../../../src/core/data/demo-records.ts';
import { createNodePython } from '../../../src/cli/python-node.ts';

describe('demo records against the Python service', () => {
  const py = createNodePython();
  afterAll(() => py.dispose());

  it('tracebacks match a real run; fixed code passes with no output; final answers pass the tests', async () => {
    const records = demoRecords();
    for (const [i, p] of DEMO_PROBLEMS.entries()) {
      const seq = records[i]!.messages[1]!.content;
      const bad = await py.run(attemptCode(p, 'buggy'), { mode: 'isolated', timeoutMs: 5000 });
      expect(bad.status, p.problem).toBe('error');
      expect(bad.traceback).toBe(seq[1]!.content);
      const good = await py.run(attemptCode(p, 'fixed'), { mode: 'isolated', timeoutMs: 5000 });
      expect(good.status).toBe('ok');
      expect(good.stdout + good.stderr + good.traceback).toBe(seq[4]!.content);
      const final = await py.run(`${p.fixed}\n\n${p.tests}`, { mode: 'isolated', timeoutMs: 5000 });
      expect(final.status).toBe('ok');
    }
  }, 120_000);
});
