/**
 * The shipped experiment data (public/demo/): `make-data` reproduces every file byte for byte, every execution
 * block of a sample of reflection records is what the interpreter prints when the record's code blocks are
 * re-run in order, and no training file holds a test task.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRecordsJsonl } from '../../../src/core/records/jsonl.ts';
import { executionText } from '../../../src/core/reflect/text.ts';
import { generateTasks } from '../../../src/core/tasks/index.ts';
import { createNodePython } from '../../../src/cli/python-node.ts';
import {
  buildDemoData,
  DEMO_FILES,
  taskInstruction,
  type DemoManifest,
} from '../../../src/services/experiment/demo-data.ts';
import type { PythonSupervisor } from '../../../src/services/python/supervisor.ts';

const DIR = path.join(import.meta.dirname, '../../../public/demo');
const shipped = (f: string): string => readFileSync(path.join(DIR, f), 'utf8');
let py: PythonSupervisor;
let checker: PythonSupervisor;
beforeAll(async () => {
  py = createNodePython();
  checker = createNodePython({ pristine: true, graceMs: 1000 });
  await Promise.all([py.start(), checker.start()]);
}, 120_000);
afterAll(() => {
  py?.dispose();
  checker?.dispose();
});

describe('built-in experiment data', () => {
  it('make-data reproduces the shipped files byte for byte', async () => {
    const data = await buildDemoData({ python: py, checker });
    for (const f of DEMO_FILES) expect(data.files[f], f).toBe(shipped(f));
  }, 120_000);

  it('re-running the code blocks of sampled records prints every execution block byte for byte', async () => {
    const { records, errors } = checkRecordsJsonl(shipped('reflection.jsonl'));
    expect(errors).toEqual([]);
    expect(records.length).toBeGreaterThan(50);
    const sample = records.filter((_, i) => i % 7 === 0);
    let blocks = 0;
    for (const r of sample) {
      await py.resetSession();
      const seq = r.messages[1]!.content;
      for (let i = 0; i < seq.length; i++) {
        if (seq[i]!.type !== 'code') continue;
        expect(seq[i + 1]?.type).toBe('execution');
        const run = await py.run(seq[i]!.content, { mode: 'session', timeoutMs: 10_000 });
        expect(executionText(run)).toBe(seq[i + 1]!.content);
        blocks += 1;
      }
      // At least two rounds, the last one passing (an empty execution block).
      expect(seq.filter((b) => b.type === 'execution').length).toBeGreaterThanOrEqual(2);
      expect(seq.filter((b) => b.type === 'execution').at(-1)!.content).toBe('');
    }
    expect(blocks).toBeGreaterThan(2 * sample.length - 1);
  }, 120_000);

  it('holds no test task in the training files, and records their provenance', () => {
    const manifest = JSON.parse(shipped('manifest.json')) as DemoManifest;
    const training = shipped('instruction.jsonl') + shipped('reflection.jsonl');
    for (const split of ['test-seen', 'test-unseen'] as const) {
      for (const t of generateTasks({ seed: manifest.seed, split })) {
        expect(training.includes(JSON.stringify(taskInstruction(t)).slice(1, -1)), t.key).toBe(false);
        expect(manifest.files['instruction.jsonl']!.taskKeys).not.toContain(t.key);
        expect(manifest.files['reflection.jsonl']!.taskKeys).not.toContain(t.key);
      }
    }
    const r = manifest.reflection;
    expect(r.kept + Object.values(r.rejected).reduce((a, b) => a + b, 0)).toBe(r.tasks);
    expect(Object.keys(r.rounds).every((k) => Number(k) >= 2)).toBe(true);
  });
});
