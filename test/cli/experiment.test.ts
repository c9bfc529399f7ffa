/**
 * `experiment --preset smoke --seeds 1` end to end, as CI runs it: four variants trained on the built-in data,
 * untrained and reference rows, greedy pass@1 checked in Pyodide, the summary as the last stdout line, the
 * results files; a rerun with the same --out reuses every finished cell (resume) and prints the same summary.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTasks, toHumanEval } from '../../src/core/tasks/index.ts';
import { cli } from './run-cli.ts';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rc-cli-exp-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Summary {
  summary: true;
  preset: string;
  seeds: number[];
  rows: {
    variant: string;
    seen: { mean: number; std: number; n: number };
    unseen: { mean: number; std: number; n: number };
  }[];
}

describe('cli experiment', () => {
  it('runs the smoke preset, writes the table, and resumes without redoing finished cells', async () => {
    const args = [
      'experiment',
      '--preset',
      'smoke',
      '--seeds',
      '1',
      '--backend',
      'wasm',
      '--json',
      '--out',
      join(dir, 'out'),
    ];
    const a = await cli(args);
    expect(a.code, a.stderr.slice(-2000)).toBe(0);
    const lines = a.stdout.trim().split('\n');
    const summary = JSON.parse(lines.at(-1)!) as Summary;
    expect(summary.summary).toBe(true);
    expect(summary.preset).toBe('smoke');
    expect(summary.seeds).toEqual([0]);
    expect(summary.rows.map((r) => r.variant)).toEqual([
      'reflectioncoder',
      'no-dynamic-mask',
      'no-distillation',
      'no-reflection-data',
      'untrained',
      'reference',
    ]);
    for (const r of summary.rows) {
      expect(r.seen.n).toBe(1);
      expect(r.seen.mean).toBeGreaterThanOrEqual(0);
      expect(r.seen.mean).toBeLessThanOrEqual(100);
    }
    const ref = summary.rows.find((r) => r.variant === 'reference')!;
    expect([ref.seen.mean, ref.unseen.mean]).toEqual([100, 100]);
    const cells = lines
      .slice(0, -1)
      .map((l) => JSON.parse(l) as { cached: boolean; variant: string; valLoss: number | null });
    expect(cells).toHaveLength(6);
    expect(cells.every((c) => !c.cached)).toBe(true);
    for (const c of cells.filter((x) => x.variant !== 'reference')) expect(c.valLoss).toBeGreaterThan(0);
    expect(await readdir(join(dir, 'out'))).toEqual(expect.arrayContaining(['results.json', 'results.md', 'cells']));
    expect(await readFile(join(dir, 'out', 'results.md'), 'utf8')).toMatch(
      /\| Variant \| Seen templates \| Unseen templates \| Validation loss \|/,
    );

    // The trained models are trainer checkpoints that `evaluate --model` loads, here on generated test tasks.
    expect((await readdir(join(dir, 'out', 'models'))).sort()).toEqual([
      'no-distillation@0',
      'no-dynamic-mask@0',
      'no-reflection-data@0',
      'reflectioncoder@0',
    ]);
    const problems = generateTasks({ seed: 5, split: 'test-seen', limit: 2 }).map((t) =>
      JSON.stringify(toHumanEval(t)),
    );
    await writeFile(join(dir, 'tasks.jsonl'), problems.join('\n') + '\n');
    const ev = await cli([
      'evaluate',
      '--problems',
      join(dir, 'tasks.jsonl'),
      '--model',
      join(dir, 'out', 'models', 'reflectioncoder@0'),
      '--max-new-tokens',
      '32',
      '--json',
    ]);
    expect(ev.code, ev.stderr.slice(-2000)).toBe(0);
    expect(JSON.parse(ev.stdout.trim().split('\n').at(-1)!)).toMatchObject({ summary: true, problems: 2 });

    const b = await cli(args);
    expect(b.code, b.stderr.slice(-2000)).toBe(0);
    const again = b.stdout.trim().split('\n');
    expect(again.slice(0, -1).map((l) => (JSON.parse(l) as { cached: boolean }).cached)).toEqual(Array(6).fill(true));
    expect(JSON.parse(again.at(-1)!)).toEqual(summary);
  }, 900_000);

  it('rejects an unknown preset and variant by name', async () => {
    const a = await cli(['experiment', '--preset', 'huge']);
    expect(a.code).not.toBe(0);
    expect(a.stderr).toMatch(/--preset: expected one of smoke, demo, full, found "huge"/);
    const b = await cli(['experiment', '--variants', 'reflectioncoder,nope']);
    expect(b.code).not.toBe(0);
    expect(b.stderr).toMatch(/unknown variant "nope"/);
  });
});
