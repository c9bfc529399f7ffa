import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { generate } from '../../src/core/model/generate.ts';
import { fixtureDir, loadTinyModel, repoRoot } from '../core/model/fixture.ts';

const run = promisify(execFile);
const cli = (args: string[]) =>
  run(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src/cli/main.ts'), ...args], { cwd: repoRoot });

describe('cli generate', () => {
  it('prints the greedy ids of a safetensors model directory on the last stdout line', async () => {
    const { stdout, stderr } = await cli([
      'generate',
      '--model',
      fixtureDir,
      '--prompt-ids',
      '1 5',
      '--max-new-tokens',
      '12',
      '--greedy',
      '--print-ids',
      '--backend',
      'cpu',
    ]);
    const last = stdout.trim().split('\n').at(-1)!;
    await tf.setBackend('cpu');
    const model = loadTinyModel();
    const want = await generate(model, [1, 5], { maxNewTokens: 12 });
    model.dispose();
    expect(last).toBe(want.join(' '));
    expect(stderr).toMatch(/cpu: 12 tokens in/);
  });

  it('exits 2 with a named usage error on a bad option', async () => {
    const err = (await cli(['generate', '--model', fixtureDir, '--top-p', '1.5']).catch((e) => e)) as {
      code: number;
      stderr: string;
    };
    expect(err.code).toBe(2);
    expect(err.stderr).toMatch(/UsageError: --top-p: expected ≤ 1, found 1.5/);
  });
});
