/**
 * Short synthetic records for fast trainer tests: real reflection structure (code → execution →
 * analysis → code → execution, then a re-answer), but a few dozen tokens each instead of the demo
 * data's 500–800, so a step of the tiny preset takes milliseconds.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReflectionRecord } from '../../../src/core/records/schema.ts';
import { recordsToJsonl } from '../../../src/core/records/jsonl.ts';

const OPS: [string, string, string][] = [
  ['add', 'a + b', 'a - b'],
  ['mul', 'a * b', 'a + b'],
  ['sub', 'a - b', 'b - a'],
  ['mx', 'max(a, b)', 'min(a, b)'],
  ['mn', 'min(a, b)', 'max(a, b)'],
  ['pw', 'a ** b', 'a * b'],
];

export function shortRecords(): ReflectionRecord[] {
  const out: ReflectionRecord[] = [];
  for (const [name, good, bad] of OPS) {
    out.push({
      type: 'reflection',
      messages: [
        { role: 'user', content: [{ type: 'text', content: `Write ${name}(a, b) and test it.` }] },
        {
          role: 'assistant',
          content: [
            { type: 'code', content: `def ${name}(a, b):\n    return ${bad}\nassert ${name}(2, 3) == 5` },
            { type: 'execution', content: 'AssertionError' },
            { type: 'text', content: `Wrong operator; use ${good}.` },
            { type: 'code', content: `def ${name}(a, b):\n    return ${good}` },
            { type: 'execution', content: 'ok' },
          ],
        },
        { role: 'user', content: [{ type: 'text', content: `Write ${name}(a, b).` }] },
        { role: 'assistant', content: [{ type: 'text', content: `def ${name}(a, b):\n    return ${good}` }] },
      ],
    });
    out.push({
      type: 'generation',
      messages: [
        { role: 'user', content: [{ type: 'text', content: `Define ${name}.` }] },
        { role: 'assistant', content: [{ type: 'text', content: `def ${name}(a, b): return ${good}` }] },
      ],
    });
  }
  return out;
}

export function shortRecordsJsonl(): Uint8Array {
  return new TextEncoder().encode(recordsToJsonl(shortRecords()));
}

/** A tiny-preset run config for tests: short sequences, a small vocabulary. */
export function tinyConfig(train: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  return {
    preset: 'tiny',
    vocabSize: 512,
    model: { maxSeqLen: 256 },
    train: { batchSize: 2, maxLen: 256, seed: 7, ...train },
    progressEvery: 1,
    checkpointEvery: 0,
    ...extra,
  };
}

/**
 * The CLI's training inputs in `dir`: short.jsonl and cfg.json (the tiny config with batch 1 and no
 * step count or seed, which the command line then gives). Returns the CLI arguments that read them.
 */
export async function writeCliTrainInputs(dir: string, checkpointEvery: number): Promise<string[]> {
  await writeFile(join(dir, 'short.jsonl'), shortRecordsJsonl());
  const { train, ...rest } = tinyConfig();
  const { maxSteps: _m, seed: _s, ...trainRest } = train as Record<string, unknown>;
  await writeFile(
    join(dir, 'cfg.json'),
    JSON.stringify({ ...rest, train: { ...trainRest, batchSize: 1 }, checkpointEvery }),
  );
  return ['train', '--data', join(dir, 'short.jsonl'), '--config', join(dir, 'cfg.json')];
}
