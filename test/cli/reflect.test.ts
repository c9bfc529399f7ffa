import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { reflectCommand } from '../../src/cli/commands/reflect.ts';
import { parseRecordsJsonl } from '../../src/core/records/jsonl.ts';
import { jsonLines } from './run-cli.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'rc-cli-reflect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fence = (c: string): string => '```python\n' + c + '\n```';

describe('cli reflect', () => {
  it('builds a record per problem with a script, and writes rejections with their reason', async () => {
    const problems = path.join(dir, 'problems.txt');
    writeFileSync(problems, 'Write inc(x) returning x + 1.\n---\nWrite dec(x) returning x - 1.\n');
    const script = path.join(dir, 'turns.txt');
    writeFileSync(
      script,
      [
        // problem 1: fails, analysis + fix, closing, final answer
        fence('def inc(x):\n    return x\n\nassert inc(1) == 2'),
        'inc forgets to add one.\n\n' + fence('def inc(x):\n    return x + 1\n\nassert inc(1) == 2'),
        'All tests pass.',
        fence('def inc(x):\n    return x + 1'),
        // problem 2: passes at once → rejected
        fence('def dec(x):\n    return x - 1\n\nassert dec(1) == 0'),
      ].join('\n---\n'),
    );
    const out = path.join(dir, 'out.jsonl');
    const rej = path.join(dir, 'rej.jsonl');
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const code = await reflectCommand.run([
        '--problems',
        problems,
        '--script',
        script,
        '--out',
        out,
        '--rejections',
        rej,
      ]);
      expect(code).toBe(0);
      expect(log.mock.calls.flat().join('\n')).toMatch(/kept 1 of 2 .*rejected: first-attempt-passed 1/);
    } finally {
      log.mockRestore();
      err.mockRestore();
    }
    const { records } = parseRecordsJsonl(readFileSync(out, 'utf8'));
    expect(records).toHaveLength(1);
    expect(records[0].messages[1].content.map((b) => b.type)).toEqual([
      'code',
      'execution',
      'text',
      'code',
      'execution',
      'text',
    ]);
    expect(records[0].messages[1].content[1].content).toContain('----> 4 assert inc(1) == 2');
    expect(records[0].messages[3].content[0].content).toBe(fence('def inc(x):\n    return x + 1'));
    const rejections = jsonLines(readFileSync(rej, 'utf8'));
    expect(rejections).toEqual([
      { problem: 'Write dec(x) returning x - 1.', reason: 'first-attempt-passed', detail: expect.any(String) },
    ]);
  });

  it('rejects bad usage by name before starting Python', async () => {
    await expect(reflectCommand.run([])).rejects.toThrow(/--problems is required/);
    const p = path.join(dir, 'p.jsonl');
    writeFileSync(p, '{"problem": "x"}\nnot json\n');
    await expect(reflectCommand.run(['--problems', p, '--script', p])).rejects.toThrow(/line 2: expected JSON/);
    writeFileSync(p, '{"problem": "x"}\n');
    await expect(reflectCommand.run(['--problems', p])).rejects.toThrow(/exactly one of --endpoint/);
    await expect(reflectCommand.run(['--problems', p, '--endpoint', 'ftp://x', '--model', 'm'])).rejects.toThrow(
      /http or https/,
    );
  });
});
