/** The `train` command as a user runs it: a child process, JSON lines on stdout, a checkpoint in --out, resume. */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, repoRoot } from './run-cli.ts';
import { writeCliTrainInputs } from '../services/trainer/short-records.ts';

let dir = '';
let trainArgs: string[] = [];

const lossFields = (o: Record<string, number>) => [o.step, o.loss, o.ce_teacher, o.ce_student, o.kl, o.mask_rate, o.lr];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rc-cli-train-'));
  trainArgs = await writeCliTrainInputs(dir, 2);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('cli train', () => {
  it('prints one JSON object per step then a summary; same seed → same numbers; --out writes the checkpoint', async () => {
    const common = [...trainArgs, '--steps', '4', '--seed', '7', '--backend', 'wasm', '--json'];
    const a = await cli([...common, '--out', join(dir, 'out')]);
    expect(a.code, a.stderr).toBe(0);
    const lines = a.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, number> & { summary?: boolean; checkpoint?: { id: string } });
    expect(lines).toHaveLength(5);
    for (const [i, l] of lines.slice(0, 4).entries()) {
      expect(l.step).toBe(i + 1);
      for (const k of ['loss', 'ce_teacher', 'ce_student', 'kl', 'mask_rate', 'lr'])
        expect(Number.isFinite(l[k]), k).toBe(true);
    }
    const summary = lines[4]!;
    expect(summary.summary).toBe(true);
    expect(summary).toMatchObject({ state: 'finished', steps: 4, totalSteps: 4, backend: 'wasm' });
    expect(await readdir(join(dir, 'out', 'checkpoints', summary.checkpoint!.id))).toEqual([
      'checkpoint.json',
      'checkpoint.safetensors',
      'meta.json',
    ]);

    // The trained model loads in the generate command, with its tokenizer.
    const g = await cli([
      'generate',
      '--model',
      join(dir, 'out', 'model'),
      '--prompt',
      '<|user|><|text|>Define add.<|endofblock|><|endofmessage|><|assistant|>',
      '--max-new-tokens',
      '4',
      '--backend',
      'wasm',
      '--print-ids',
    ]);
    expect(g.code, g.stderr).toBe(0);
    expect(g.stdout.trim().split('\n').at(-1)).toMatch(/^(\d+( \d+)*)?$/);

    // Same seed, no --out: identical numbers.
    const b = await cli(common);
    expect(b.code, b.stderr).toBe(0);
    const linesB = b.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, number>);
    expect(linesB.slice(0, 4).map(lossFields)).toEqual(lines.slice(0, 4).map(lossFields));
  });

  it('Ctrl-C stops at a step boundary with a checkpoint; --resume continues to the same numbers as a straight run', async () => {
    const out = join(dir, 'sigint');
    const args = [...trainArgs, '--steps', '40', '--seed', '3', '--backend', 'wasm', '--json'];
    const p = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), ...args, '--out', out], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let first = '';
    let sent = false;
    p.stdout.on('data', (d) => {
      first += d;
      if (!sent && first.includes('\n')) {
        sent = true;
        p.kill('SIGINT');
      }
    });
    const code = await new Promise<number>((r) => p.on('close', (c) => r(c ?? -1)));
    expect(code).toBe(0);
    const partA = first
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as Record<string, number> & { summary?: boolean; state?: string; checkpoint?: { id: string } },
      );
    const summaryA = partA.at(-1)!;
    expect(summaryA).toMatchObject({ summary: true, state: 'stopped', totalSteps: 40 });
    expect(summaryA.steps).toBeLessThan(40);

    const b = await cli(['train', '--out', out, '--resume', summaryA.checkpoint!.id, '--json', '--backend', 'wasm']);
    expect(b.code, b.stderr).toBe(0);
    const partB = b.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, number> & { summary?: boolean; state?: string });
    expect(partB.at(-1)).toMatchObject({ summary: true, state: 'finished', steps: 40 });

    const c = await cli(args);
    const straight = c.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, number>)
      .slice(0, 40);
    const resumed = [...partA.slice(0, -1), ...partB.slice(0, -1)];
    expect(resumed.map(lossFields)).toEqual(straight.map(lossFields));
  });

  it('rejects unknown options and bad values with a usage error (exit 2)', async () => {
    const r = await cli(['train', '--stepz', '3']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option --stepz/);
    const s = await cli(['train', '--steps', 'many']);
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(/--steps: expected an integer, found "many"/);
  });
});
