/**
 * HFTokenizer against the Rust `tokenizers` library: the shared Qwen3 reference ids, and many more
 * texts through @anush008/tokenizers (the Rust library's Node binding). Skips when ../shared is absent.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Tokenizer as RustTokenizer } from '@anush008/tokenizers';
import { describe, expect, it } from 'vitest';
import { TokenizerError } from '../../../src/core/errors.ts';
import { HFTokenizer, REFLECTION_TOKENS } from '../../../src/core/tokenizer/hf.ts';
import { sharedDir } from '../model/fixture.ts';

const dir = path.join(sharedDir, 'models', 'qwen3-tokenizer');
const have = existsSync(path.join(dir, 'tokenizer.json'));
if (!have) console.warn(`SKIPPED: ${dir} is absent (the shared Qwen3 tokenizer)`);

const texts = [
  'def add(a, b):\n    return a + b\n',
  'Hello, world! 你好，世界 🌍',
  '<|user|><|text|>Write a function.<|endofblock|><|endofmessage|>',
  '<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n',
  "It's   spaced\t\ttabs\r\n\r\nand CRLF;    trailing   ",
  '    if x:\n        y = [i**2 for i in range(10)]  # comment\n',
  "I'LL we'Ve THEY'RE don't 12345 3.14159 1e-9 0x1F",
  'émigré café naïve Å ﬁ ｆｕｌｌ width ①②',
  '```python\nprint("a<|code|>b")\n```',
  '<|endoftext|>x<|endoftext|>',
  '',
  ' ',
  '\n\n\n',
  'Traceback (most recent call last):\n  Cell In[1], line 15\nAssertionError',
  'mixed<|execution|> <|endofblock|>\n<|assistant|>tail',
  'عربى русский ελληνικά 한국어 日本語のテキスト',
];

describe.skipIf(!have)('HFTokenizer (Qwen3 tokenizer.json)', () => {
  const json = () => JSON.parse(readFileSync(path.join(dir, 'tokenizer.json'), 'utf8'));
  const config = JSON.parse(readFileSync(path.join(dir, 'tokenizer_config.json'), 'utf8'));
  const base = new HFTokenizer(json(), config);
  const { tokenizer: withR, added } = base.withReflectionTokens();

  it('has len(tokenizer) 151669 and gives the seven tokens ids 151669…151675 in the official order', () => {
    expect(base.size).toBe(151669);
    expect(added).toEqual(REFLECTION_TOKENS.map((token, i) => ({ token, id: 151669 + i })));
    expect(withR.size).toBe(151676);
    expect(base.hasReflectionTokens()).toBe(false);
    expect(withR.hasReflectionTokens()).toBe(true);
    // A tokenizer that already has them is not changed again.
    const again = withR.withReflectionTokens();
    expect(again.added).toEqual([]);
    expect(again.tokenizer).toBe(withR);
    // Qwen has no BOS: records start with its EOS (<|im_end|> per tokenizer_config)
    expect(base.hasOwnBos).toBe(false);
    expect(base.eos).toBe(base.tokenToId('<|im_end|>'));
  });

  it('reproduces the reference ids of the Rust library, with and without the reflection tokens', () => {
    const rows = readFileSync(path.join(dir, 'reference-ids.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows)
      expect((r.reflection_tokens ? withR : base).encode(r.text), JSON.stringify(r.text)).toEqual(r.ids);
  });

  it('matches the Rust binding on more texts, and decodes back', async () => {
    const rust = RustTokenizer.fromString(readFileSync(path.join(dir, 'tokenizer.json'), 'utf8'));
    const rustR = RustTokenizer.fromString(readFileSync(path.join(dir, 'tokenizer.json'), 'utf8'));
    rustR.addSpecialTokens([...REFLECTION_TOKENS]);
    for (const t of texts) {
      expect(base.encode(t), JSON.stringify(t)).toEqual(
        (await rust.encode(t, null, { addSpecialTokens: false })).getIds(),
      );
      expect(withR.encode(t), JSON.stringify(t)).toEqual(
        (await rustR.encode(t, null, { addSpecialTokens: false })).getIds(),
      );
      expect(withR.decode(withR.encode(t))).toBe(t);
    }
  });

  it('matches the Rust binding on 300 random texts mixing scripts, spaces, digits and tokens', async () => {
    const rustR = RustTokenizer.fromString(readFileSync(path.join(dir, 'tokenizer.json'), 'utf8'));
    rustR.addSpecialTokens([...REFLECTION_TOKENS]);
    const pieces = [
      ' ',
      '  ',
      '\n',
      '\r\n',
      '\t',
      'a',
      'Z',
      'é',
      'ß',
      '你',
      '😀',
      '1',
      '23',
      "'s",
      "'LL",
      '.',
      ',',
      '(',
      ')',
      '{',
      '}',
      '_',
      '-',
      '#',
      'def',
      ' return',
      '<|code|>',
      '<|endoftext|>',
      '<|im_start|>',
      '<|',
      '|>',
      '\u00a0',
      '\u200b',
      'İ',
      'ﬀ',
      '̀',
    ];
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let k = 0; k < 300; k++) {
      let t = '';
      for (let j = rand(30); j >= 0; j--) t += pieces[rand(pieces.length)];
      expect(withR.encode(t), JSON.stringify(t)).toEqual(
        (await rustR.encode(t, null, { addSpecialTokens: false })).getIds(),
      );
    }
  });

  it('plain mode treats added-token strings as ordinary text', () => {
    const t = '<|user|>hi<|im_end|>';
    const plain = withR.encodeOrdinary(t);
    expect(plain).toEqual(base.encodeOrdinary(t));
    expect(plain.some((id) => id >= 151643)).toBe(false);
    expect(withR.decode(plain)).toBe(t);
    expect(withR.encode(t)).toEqual([withR.special('<|user|>'), ...base.encode('hi'), base.tokenToId('<|im_end|>')]);
  });

  it('refuses unsupported tokenizer.json by name', () => {
    expect(() => new HFTokenizer({ model: { type: 'Fancy' } })).toThrow(TokenizerError);
    expect(() => new HFTokenizer({ model: { type: 'Fancy' } })).toThrow(/model type "Fancy" is not supported/);
    expect(() => new HFTokenizer({})).toThrow(/no "model" section/);
    expect(() => base.special('<|nope|>')).toThrow(TokenizerError);
  });
});

describe.skipIf(!have)('chat template (Qwen3 tokenizer_config.json)', () => {
  it('renders the ChatML prompt with the generation prompt and encodes its tokens as specials', async () => {
    const { encodeChat, renderChat } = await import('../../../src/core/tokenizer/hf-chat.ts');
    const tok = new HFTokenizer(
      JSON.parse(readFileSync(path.join(dir, 'tokenizer.json'), 'utf8')),
      JSON.parse(readFileSync(path.join(dir, 'tokenizer_config.json'), 'utf8')),
    );
    const text = renderChat(tok, [{ role: 'user', content: 'Write add(a, b).' }]);
    expect(text.startsWith('<|im_start|>user\nWrite add(a, b).<|im_end|>\n<|im_start|>assistant\n')).toBe(true);
    const ids = encodeChat(tok, [{ role: 'user', content: 'hi' }]);
    expect(ids[0]).toBe(tok.tokenToId('<|im_start|>'));
    expect(ids).toContain(tok.tokenToId('<|im_end|>'));
  });
});
