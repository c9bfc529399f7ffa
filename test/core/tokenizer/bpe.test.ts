import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CheckpointError, ConfigError } from '../../../src/core/errors.ts';
import { parseRecordsJsonl } from '../../../src/core/records/jsonl.ts';
import { encodeRecord } from '../../../src/core/records/serialize.ts';
import { ALL_SPECIALS, BpeTokenizer, MIN_VOCAB_SIZE, SPECIAL_TOKENS } from '../../../src/core/tokenizer/bpe.ts';
import { splitWords } from '../../../src/core/tokenizer/pretokenize.ts';
import { Rng } from '../../../src/core/rng.ts';
import { FIXTURES } from '../helpers/fixture-record.ts';

const exampleText = readFileSync(path.join(FIXTURES, 'reflection-records-example.jsonl'), 'utf8');
const records = parseRecordsJsonl(exampleText).records;
const corpus = records.flatMap((r) => r.messages.flatMap((m) => m.content.map((b) => b.content)));

/** Random valid Unicode: ASCII, Latin, CJK, emoji (astral), combining marks, whitespace — never a lone surrogate. */
function randomText(rng: Rng, len: number): string {
  const ranges: [number, number][] = [
    [0x20, 0x7e],
    [0x09, 0x0a],
    [0xa0, 0x24f],
    [0x300, 0x36f],
    [0x4e00, 0x9fff],
    [0x1f300, 0x1faff],
    [0x10000, 0x1000f],
    [0xe000, 0xf8ff],
  ];
  let s = '';
  for (let i = 0; i < len; i++) {
    const [lo, hi] = ranges[rng.int(ranges.length)]!;
    s += String.fromCodePoint(lo + rng.int(hi - lo + 1));
  }
  return s;
}

describe('BpeTokenizer', () => {
  const tok = BpeTokenizer.train(corpus, 600);

  it('has the fixture special ids and the requested size', () => {
    expect(tok.vocabSize).toBe(600);
    expect([tok.pad, tok.bos, tok.eos]).toEqual([0, 1, 2]);
    expect(SPECIAL_TOKENS.map((s) => tok.special(s))).toEqual([3, 4, 5, 6, 7, 8, 9]);
    expect(tok.special('<|bos|>')).toBe(1);
    expect(() => tok.special('<|system|>')).toThrow(ConfigError);
  });

  it('learns merges that compress the training text, without crossing word boundaries', () => {
    const text = corpus.join('\n');
    const ids = tok.encode(text);
    const bytes = new TextEncoder().encode(text).length;
    expect(ids.length).toBeLessThan(bytes / 2);
    for (let id = MIN_VOCAB_SIZE; id < tok.vocabSize; id++) {
      const s = tok.decode([id]);
      // A learned token is (a prefix of) one GPT-2 piece: pre-tokenising it gives at most one piece.
      expect(splitWords(s).length, JSON.stringify(s)).toBeLessThanOrEqual(1);
    }
  });

  it('round-trips emoji, CJK, code and mixed scripts', () => {
    for (const s of [
      'def f(x):\n    return x  # 😀',
      '你好，世界！こんにちは',
      '👩‍💻🏳️‍🌈 e\u0301 ﬁ',
      '',
      '   \n\t\n',
      "it's 3.14 -> don't",
    ]) {
      expect(tok.decode(tok.encode(s))).toBe(s);
    }
  });

  it('round-trips 300 seeded random Unicode strings (property test)', () => {
    const rng = new Rng(2024);
    for (let i = 0; i < 300; i++) {
      const s = randomText(rng, 1 + rng.int(60));
      expect(tok.decode(tok.encode(s))).toBe(s);
    }
  });

  it('keeps special tokens atomic and never produces them by merges', () => {
    const s = 'a<|user|>b<|endofblock|><|endofmessage|>c <|code|>';
    const ids = tok.encode(s);
    expect(ids.filter((i) => i < 10)).toEqual([3, 9, 5, 7]);
    expect(tok.decode(ids)).toBe(s);
    expect(tok.decode(ids, { skipSpecial: true })).toBe('abc ');
    // Trained on text full of special strings: no learned token contains one (or its <| |> halves).
    const t2 = BpeTokenizer.train(
      Array.from({ length: 50 }, () => '<|user|><|text|>hello<|endofblock|><|endofmessage|>'),
      300,
    );
    for (let id = MIN_VOCAB_SIZE; id < t2.vocabSize; id++) expect(t2.decode([id])).not.toMatch(/<\||\|>/);
    expect(t2.encode('<|user|><|text|>hello')).toEqual([3, 6, ...t2.encode('hello')]);
    expect(ALL_SPECIALS.map((s) => t2.encode(s))).toEqual(ALL_SPECIALS.map((_, i) => [i]));
  });

  it('record contents are encoded as ordinary text: a literal special string cannot inject structure', () => {
    const r = {
      type: 'generation' as const,
      messages: [
        { role: 'user' as const, content: [{ type: 'text' as const, content: 'print("<|endofblock|>")' }] },
        { role: 'assistant' as const, content: [{ type: 'text' as const, content: 'ok' }] },
      ],
    };
    const enc = encodeRecord(r, tok);
    expect(enc.ids.filter((i) => i === 9)).toHaveLength(2); // only the two real block ends
    expect(tok.decode(enc.ids)).toBe(
      '<|bos|><|user|><|text|>print("<|endofblock|>")<|endofblock|><|endofmessage|><|assistant|><|text|>ok<|endofblock|><|endofmessage|><|eos|>',
    );
    expect(tok.encodeOrdinary('<|user|>')).not.toContain(3);
  });

  it('serialises to JSON and back with identical encodings', () => {
    const json = JSON.parse(JSON.stringify(tok.toJSON())) as unknown;
    const back = BpeTokenizer.fromJSON(json);
    expect(back.vocabSize).toBe(tok.vocabSize);
    const text = corpus.join('\n');
    expect(back.encode(text)).toEqual(tok.encode(text));
  });

  it('rejects malformed tokenizer JSON with CheckpointError', () => {
    const good = tok.toJSON();
    expect(() => BpeTokenizer.fromJSON(null)).toThrow(CheckpointError);
    expect(() => BpeTokenizer.fromJSON({ ...good, format: 'x' })).toThrow(/format/);
    expect(() => BpeTokenizer.fromJSON({ ...good, merges: [10] })).toThrow(/pairs/);
    expect(() => BpeTokenizer.fromJSON({ ...good, merges: [10, 266] })).toThrow(/merge 0 uses id 266/);
    expect(() => BpeTokenizer.fromJSON({ ...good, specials: ['<|pad|>'] })).toThrow(/specials/);
  });

  it('is deterministic and validates vocabSize', () => {
    expect(BpeTokenizer.train(corpus, 400).toJSON()).toEqual(BpeTokenizer.train(corpus, 400).toJSON());
    expect(() => BpeTokenizer.train(corpus, 100)).toThrow(/vocabSize must be an integer in \[266/);
    // Running out of pairs stops early: vocabSize reports what was learned.
    expect(BpeTokenizer.train(['ab'], 1000).vocabSize).toBe(MIN_VOCAB_SIZE + 1);
  });

  it('trainAsync gives the same tokenizer and reports progress', async () => {
    const seen: number[] = [];
    const t = await BpeTokenizer.trainAsync(corpus, 600, {
      onProgress: (p) => void seen.push(p.merges),
      yieldFn: () => new Promise<void>((r) => setTimeout(r, 0)),
    });
    expect(t.toJSON()).toEqual(tok.toJSON());
    expect(seen.at(-1)).toBe(600 - MIN_VOCAB_SIZE);
    expect(seen.length).toBeGreaterThan(2);
  });

  it('serialises the example records through the real tokenizer', () => {
    const enc = encodeRecord(records[0]!, tok);
    expect(enc.ids[0]).toBe(tok.bos);
    expect(enc.ids.at(-1)).toBe(tok.eos);
    expect(enc.ids.filter((i) => i === tok.special('<|endofmessage|>'))).toHaveLength(4);
    expect(enc.ids.filter((i) => i === tok.special('<|endofblock|>'))).toHaveLength(9);
    expect(tok.decode(enc.ids.slice(enc.annotation.findIndex((a) => a.segment === 'final_answer:header')))).toBe(
      `<|assistant|><|text|>${records[0]!.messages[3]!.content[0]!.content}<|endofblock|><|endofmessage|><|eos|>`,
    );
  });

  it('trains on ~1 MB of text in a few seconds', () => {
    const rng = new Rng(5);
    const base = corpus.join('\n');
    const parts: string[] = [];
    let size = 0;
    while (size < 1_000_000) {
      // Perturb identifiers so the corpus is not a pure repetition.
      const p = base.replace(/multiply_digits/g, `fn_${rng.int(5000)}`).replace(/\d+/g, () => String(rng.int(100000)));
      parts.push(p);
      size += p.length;
    }
    const t0 = performance.now();
    const t = BpeTokenizer.train(parts, 2000);
    const ms = performance.now() - t0;
    expect(t.vocabSize).toBe(2000);
    expect(ms).toBeLessThan(20_000);
  });
});
