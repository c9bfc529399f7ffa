/**
 * A model folder for fine-tuning tests: test/fixtures/tiny-qwen2 plus a small character-level
 * tokenizer.json (99 tokens; with the seven ReflectionCoder tokens 106 ≤ the model's 128, so the
 * official resize shrinks the embedding) and short records that fit its 64 positions.
 */
import { copyFileSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ReflectionRecord } from '../../../src/core/records/schema.ts';
import { qwenDir } from '../../core/model/qwen2-fixture.ts';

export function charTokenizerJson(): object {
  const vocab: Record<string, number> = { '<unk>': 0, '<|endoftext|>': 1 };
  const chars = ['\n', '\t', ...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i))];
  chars.forEach((c, i) => (vocab[c] = i + 2));
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [
      {
        id: 1,
        content: '<|endoftext|>',
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: false,
        special: true,
      },
    ],
    normalizer: null,
    pre_tokenizer: null,
    post_processor: null,
    decoder: { type: 'Fuse' },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: '<unk>',
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      vocab,
      merges: [],
    },
  };
}

/** A temp copy of tiny-qwen2 (weights + config) with the char tokenizer. */
export function tinyQwenFolder(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'rcw-tiny-qwen-'));
  for (const f of readdirSync(qwenDir))
    if (f.startsWith('model') || f === 'config.json') copyFileSync(path.join(qwenDir, f), path.join(dir, f));
  writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(charTokenizerJson()));
  writeFileSync(
    path.join(dir, 'tokenizer_config.json'),
    JSON.stringify({ eos_token: '<|endoftext|>', pad_token: '<|endoftext|>', bos_token: null }),
  );
  return dir;
}

const msg = (role: 'user' | 'assistant', ...blocks: [string, string][]) => ({
  role,
  content: blocks.map(([type, content]) => ({ type, content })),
});

/** Short records (reflection + generation) in the released schema. */
export function tinyRecords(): ReflectionRecord[] {
  return [
    {
      type: 'reflection',
      messages: [
        msg('user', ['text', 'add a,b']),
        msg('assistant', ['code', 'a-b'], ['execution', 'err'], ['text', 'fix'], ['code', 'a+b']),
        msg('user', ['text', 'again']),
        msg('assistant', ['code', 'a+b']),
      ],
    },
    { type: 'generation', messages: [msg('user', ['text', 'mul x,y']), msg('assistant', ['code', 'x*y'])] },
    { type: 'generation', messages: [msg('user', ['text', 'neg x']), msg('assistant', ['code', '-x'])] },
    {
      type: 'reflection',
      messages: [
        msg('user', ['text', 'max']),
        msg('assistant', ['code', 'min()'], ['execution', 'no'], ['code', 'max()']),
        msg('user', ['text', 'redo']),
        msg('assistant', ['code', 'max()']),
      ],
    },
  ] as unknown as ReflectionRecord[];
}
