/**
 * `import` then `train`, as a user does: released rows (ReflectionSeq as released, CodeFeedback converted
 * as download.py does, a 6-message record, extra keys) import into one JSONL file, which trains; the
 * train summary names the objective, mask strategy and block order.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './run-cli.ts';
import { FIXTURES } from '../core/helpers/fixture-record.ts';
import { CODE_FEEDBACK_ROW } from '../core/records/released-rows.ts';

let dir = '';
const m = (role: string, content: string, type = 'text') => ({ role, content: [{ type, content }], note: 'x' });
const sixMessages = {
  id: 'r-6',
  type: 'reflection',
  messages: JSON.stringify([
    m('user', 'Write add(a, b) and test it.'),
    m('assistant', 'def add(a, b):\n    return a - b\nassert add(2, 3) == 5', 'code'),
    m('user', 'It failed. Fix it.'),
    m('assistant', 'def add(a, b):\n    return a + b', 'code'),
    m('user', 'Write add(a, b).'),
    m('assistant', '```python\ndef add(a, b):\n    return a + b\n```'),
  ]),
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rc-cli-import-'));
  const released = readFileSync(join(FIXTURES, 'reflection-records-example.jsonl'), 'utf8').trim();
  await writeFile(join(dir, 'reflection_seq.jsonl'), `${released}\n${JSON.stringify(sixMessages)}\n`);
  await writeFile(
    join(dir, 'code_feedback.json'),
    JSON.stringify([CODE_FEEDBACK_ROW, { ...CODE_FEEDBACK_ROW, query: 'Another &quot;one&quot;' }]),
  );
  await writeFile(
    join(dir, 'cfg.json'),
    JSON.stringify({
      preset: 'tiny',
      vocabSize: 512,
      model: { maxSeqLen: 1024 },
      train: { batchSize: 1, maxLen: 1024, gradAccumSteps: 2 },
      checkpointEvery: 0,
    }),
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('cli import', () => {
  it('converts released files into one records file, counting ignored keys; a 6-message record with extra fields trains', async () => {
    const out = join(dir, 'records.jsonl');
    const r = await cli([
      'import',
      join(dir, 'reflection_seq.jsonl'),
      join(dir, 'code_feedback.json'),
      '--out',
      out,
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as {
      records: number;
      reflection: number;
      generation: number;
      ignored_keys: Record<string, number>;
    };
    expect(summary).toMatchObject({ records: 6, reflection: 3, generation: 3 });
    expect(summary.ignored_keys).toEqual({ 'record.id': 1, 'message.note': 6 });
    expect(r.stderr).toMatch(/warning: ignored unknown keys: record\.id ×1, message\.note ×6/);
    const lines = (await readFile(out, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { messages: unknown[] });
    expect(lines.map((l) => l.messages.length)).toEqual([4, 2, 4, 6, 2, 2]);
    expect(JSON.stringify(lines[4])).toContain('return sorted(xs)  # a < b');

    const t = await cli([
      'train',
      '--data',
      out,
      '--config',
      join(dir, 'cfg.json'),
      '--steps',
      '2',
      '--seed',
      '1',
      '--backend',
      'cpu',
      '--json',
    ]);
    expect(t.code, t.stderr).toBe(0);
    const rows = t.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows).toHaveLength(3);
    for (const row of rows.slice(0, 2)) expect(Number.isFinite(row.loss)).toBe(true);
    expect(rows[2]).toMatchObject({
      summary: true,
      state: 'finished',
      objective: 'official',
      batching: 'mixed',
      recipe: 'app',
      mask: { strategy: 'block', order: 'EAC', order_official: 'etc' },
    });
  }, 240_000);

  it('writes nothing when any row of any file is bad', async () => {
    const bad = join(dir, 'bad.jsonl');
    await writeFile(bad, `${JSON.stringify(CODE_FEEDBACK_ROW)}\n{"type": "reflection", "messages": []}\n`);
    const out = join(dir, 'none.jsonl');
    const r = await cli(['import', join(dir, 'code_feedback.json'), bad, '--out', out]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/nothing written: .*bad\.jsonl: 1 bad line, nothing imported: line 2: /);
    expect(existsSync(out)).toBe(false);
  }, 60_000);
});
