/** `tokenize` CLI against the Rust library's reference ids (skips when ../shared is absent). */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, repoRoot, type CliResult, jsonLines } from './run-cli.ts';

const dir = path.resolve(repoRoot, '..', 'shared', 'models', 'qwen3-tokenizer');
const have = existsSync(path.join(dir, 'tokenizer.json'));
if (!have) console.warn(`SKIPPED: ${dir} is absent`);

const run = (args: string[], stdin: string): Promise<CliResult> => cli(['tokenize', ...args], stdin);

describe.skipIf(!have)('tokenize CLI', () => {
  const rows = jsonLines(readFileSync(path.join(dir, 'reference-ids.jsonl'), 'utf8'));

  it('reproduces the reference ids with and without --add-reflection-tokens, one line per input line', async () => {
    for (const flag of [false, true]) {
      const mine = rows.filter((r) => r.reflection_tokens === flag);
      const input = mine.map((r) => JSON.stringify({ text: r.text })).join('\n') + '\n';
      const out = await run(['--tokenizer', dir, ...(flag ? ['--add-reflection-tokens'] : [])], input);
      expect(out.code, out.stderr).toBe(0);
      const lines = out.stdout.trim().split('\n');
      expect(lines.length).toBe(mine.length);
      lines.forEach((l, i) => expect(JSON.parse(l).ids, mine[i].text).toEqual(mine[i].ids));
    }
  });

  it('--plain tokenises token strings as ordinary text; bad lines are named errors', async () => {
    const plain = await run(
      ['--tokenizer', dir, '--add-reflection-tokens', '--plain'],
      JSON.stringify({ text: '<|user|>' }) + '\n',
    );
    expect(plain.code, plain.stderr).toBe(0);
    const ids = JSON.parse(plain.stdout).ids as number[];
    expect(ids.length).toBeGreaterThan(1);
    expect(ids.every((i) => i < 151643)).toBe(true);
    const bad = await run(['--tokenizer', dir], '{"txt": 1}\n');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/DataFormatError|line 1: expected \{"text"/);
  });
});
