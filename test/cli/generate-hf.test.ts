/** `generate` on a Hugging Face folder without tokenizer files: token ids in, the reference greedy ids out. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, repoRoot } from './run-cli.ts';

const dir = path.join(repoRoot, 'test', 'fixtures', 'tiny-qwen2');
const greedy = JSON.parse(readFileSync(path.join(dir, 'greedy.json'), 'utf8'));

describe('generate --model <hf folder>', () => {
  it('greedy from --prompt-ids (bf16 shards, no tokenizer) and with --adapter', async () => {
    // Greedy, 32 new tokens, stop at 127, ids printed: the same request with and without the adapter.
    const request = [
      '--prompt-ids',
      greedy.prompt_ids.join(' '),
      '--max-new-tokens',
      '32',
      '--stop-ids',
      '127',
      '--print-ids',
      '--backend',
      'cpu',
    ];
    const base = await cli(['generate', '--model', dir, ...request]);
    expect(base.code, base.stderr).toBe(0);
    expect(base.stdout.trim().split('\n').at(-1)).toBe(greedy.greedy_32.join(' '));
    const lora = await cli(['generate', '--model', dir, '--adapter', path.join(dir, 'lora'), ...request]);
    expect(lora.code, lora.stderr).toBe(0);
    expect(lora.stdout.trim().split('\n').at(-1)).toBe(greedy.greedy_32_with_lora.join(' '));
    const text = await cli(['generate', '--model', dir, '--prompt', 'hi', '--backend', 'cpu']);
    expect(text.code).not.toBe(0);
    expect(text.stderr).toMatch(/--prompt needs tokenizer\.json/);
  }, 120_000);
});
