import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { SampleResult } from '../../src/api/eval.ts';
import { EvalStore, type EvalRunMeta } from '../../src/platform/browser/eval-store.ts';

let n = 0;
const fresh = () => EvalStore.open(`test-eval-${process.pid}-${n++}`);
const sample = (task: string, passed: boolean): SampleResult => ({
  task_id: task,
  completion_id: 0,
  completion: '    return 1\n',
  result: passed ? 'passed' : 'failed: ',
  passed,
  raw: '',
  detail: '',
  checkMs: 2,
  generateMs: 0,
});
const meta = (id: string, savedAt: string): EvalRunMeta => ({
  id,
  savedAt,
  problems: { fileName: 'HumanEval.jsonl', sha256: 'ab', selected: ['HumanEval/0'] },
  checkpoint: null,
  decoding: null,
  partial: false,
  summary: {
    mode: 'canonical',
    problems: 1,
    samplesPerProblem: 1,
    passed: 1,
    total: 1,
    passAtK: { 'pass@1': 1 },
    elapsedSec: 0.1,
  },
});

describe('EvalStore (IndexedDB)', () => {
  it('saves a run with its samples, lists newest first, reads back, deletes both halves', async () => {
    const s = await fresh();
    await s.put(meta('a', '2026-01-01T00:00:00Z'), [sample('HumanEval/0', true)]);
    await s.put(meta('b', '2026-01-02T00:00:00Z'), [sample('HumanEval/0', false), sample('HumanEval/1', true)]);
    expect((await s.list()).map((m) => m.id)).toEqual(['b', 'a']);
    const b = await s.get('b');
    expect(b?.samples.map((x) => x.result)).toEqual(['failed: ', 'passed']);
    expect(b?.meta.summary.passAtK).toEqual({ 'pass@1': 1 });
    await s.delete('b');
    expect(await s.get('b')).toBeUndefined();
    expect((await s.list()).map((m) => m.id)).toEqual(['a']);
    s.close();
    // Survives a reopen (what the panel shows after a reload).
    const again = await EvalStore.open(`test-eval-${process.pid}-${n - 1}`);
    expect((await again.list()).map((m) => m.id)).toEqual(['a']);
    again.close();
  });

  it('writes nothing when the samples cannot be stored', async () => {
    const s = await fresh();
    const bad = [{ ...sample('HumanEval/0', true), raw: (() => 0) as unknown as string }];
    await expect(s.put(meta('c', '2026-01-03T00:00:00Z'), bad)).rejects.toThrow(
      /IndexedDB refused saving evaluation run c/,
    );
    expect(await s.list()).toEqual([]);
    s.close();
  });
});
