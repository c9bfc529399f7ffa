/**
 * A byte-level BPE tokenizer that can be trained in the browser on the user's own datasets.
 * Id layout (the fixture's special ids, so tokenised data and models line up):
 *   0 <|pad|>, 1 <|bos|>, 2 <|eos|>, 3..9 the seven record tokens (docs/METHOD.md §2),
 *   10..265 the 256 bytes, 266.. one id per learned merge.
 * Special tokens are atomic: their strings are split out before pre-tokenisation, so no merge can
 * produce or cross them. Any UTF-8 text round-trips (bytes are never lost).
 */
import { CheckpointError, ConfigError, ShapeError } from '../errors.ts';
import type { TokenizerLike } from '../records/serialize.ts';
import { makeSpecialSplitter, splitWords } from './pretokenize.ts';
import { applyMerge, learnMerges, type TrainProgress } from './train.ts';

export const SPECIAL_TOKENS = [
  '<|user|>',
  '<|assistant|>',
  '<|endofmessage|>',
  '<|text|>',
  '<|code|>',
  '<|execution|>',
  '<|endofblock|>',
] as const;
export const CONTROL_TOKENS = ['<|pad|>', '<|bos|>', '<|eos|>'] as const;
/** All atomic tokens in id order. */
export const ALL_SPECIALS: readonly string[] = [...CONTROL_TOKENS, ...SPECIAL_TOKENS];
export const BYTE_OFFSET = ALL_SPECIALS.length; // 10
export const MIN_VOCAB_SIZE = BYTE_OFFSET + 256; // 266
/** Generous upper bound (ids must pack into one double in the pair key, see train.ts). */
export const MAX_VOCAB_SIZE = 1 << 20;

export interface BpeTokenizerJSON {
  format: 'reflectioncoder-bpe';
  version: 1;
  pretokenizer: 'gpt2';
  specials: string[];
  /** Flattened merge pairs [a0, b0, a1, b1, …]; merge k creates id MIN_VOCAB_SIZE + k. */
  merges: number[];
}

export type BpeTrainOptions = { onProgress?: (p: TrainProgress) => void | Promise<void> };
export type { TrainProgress };

const WORD_CACHE_LIMIT = 50_000;

export class BpeTokenizer implements TokenizerLike {
  readonly vocabSize: number;
  readonly pad = 0;
  readonly bos = 1;
  readonly eos = 2;
  private readonly merges: [number, number][];
  private readonly ranks = new Map<number, number>();
  private readonly tokenBytes: Uint8Array[];
  private readonly specialIds = new Map<string, number>();
  private readonly splitSpecials = makeSpecialSplitter(ALL_SPECIALS);
  private readonly cache = new Map<string, number[]>();
  private readonly encoder = new TextEncoder();

  private constructor(merges: [number, number][]) {
    this.merges = merges;
    this.vocabSize = MIN_VOCAB_SIZE + merges.length;
    ALL_SPECIALS.forEach((s, i) => this.specialIds.set(s, i));
    this.tokenBytes = ALL_SPECIALS.map((s) => this.encoder.encode(s));
    for (let b = 0; b < 256; b++) this.tokenBytes.push(Uint8Array.of(b));
    merges.forEach(([a, b], k) => {
      const ta = this.tokenBytes[a]!;
      const tb = this.tokenBytes[b]!;
      const t = new Uint8Array(ta.length + tb.length);
      t.set(ta);
      t.set(tb, ta.length);
      this.tokenBytes.push(t);
      this.ranks.set(a * MAX_VOCAB_SIZE * 2 + b, k);
    });
  }

  /** Id of a special token by its string ('<|user|>', …, '<|bos|>', '<|eos|>', '<|pad|>'). */
  special(name: string): number {
    const id = this.specialIds.get(name);
    if (id === undefined)
      throw new ConfigError(`unknown special token "${name}" (expected one of ${ALL_SPECIALS.join(' ')})`);
    return id;
  }

  isSpecial(id: number): boolean {
    return id >= 0 && id < BYTE_OFFSET;
  }

  /** Text → ids; special-token strings in the text become their single ids. */
  encode(text: string): number[] {
    const out: number[] = [];
    for (const part of this.splitSpecials(text)) {
      if (part.special) {
        out.push(this.specialIds.get(part.text)!);
        continue;
      }
      for (const w of splitWords(part.text)) {
        for (const id of this.encodeWord(w)) out.push(id);
      }
    }
    return out;
  }

  /** Text → ids with special-token strings treated as ordinary text (record contents: only the
   *  serialiser may emit structure tokens, so a literal "<|endofblock|>" inside code stays text). */
  encodeOrdinary(text: string): number[] {
    const out: number[] = [];
    for (const w of splitWords(text)) for (const id of this.encodeWord(w)) out.push(id);
    return out;
  }

  private encodeWord(w: string): number[] {
    const hit = this.cache.get(w);
    if (hit) return hit;
    let ids = Array.from(this.encoder.encode(w), (b) => b + BYTE_OFFSET);
    // Standard BPE: repeatedly apply the lowest-rank merge present.
    while (ids.length > 1) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i + 1 < ids.length; i++) {
        const r = this.ranks.get(ids[i]! * MAX_VOCAB_SIZE * 2 + ids[i + 1]!);
        if (r !== undefined && r < bestRank) {
          bestRank = r;
          best = i;
        }
      }
      if (best < 0) break;
      const [a, b] = this.merges[bestRank]!;
      ids = applyMerge(ids, a, b, MIN_VOCAB_SIZE + bestRank);
    }
    if (this.cache.size >= WORD_CACHE_LIMIT) this.cache.clear();
    this.cache.set(w, ids);
    return ids;
  }

  /** Ids → text. Special tokens print as their strings unless skipSpecial. Bytes that do not
   *  form valid UTF-8 (a generation cut mid-character) decode to U+FFFD. */
  decode(ids: readonly number[], opts: { skipSpecial?: boolean } = {}): string {
    let n = 0;
    for (const id of ids) n += this.bytesOf(id).length;
    const buf = new Uint8Array(n);
    let o = 0;
    for (const id of ids) {
      if (opts.skipSpecial && this.isSpecial(id)) continue;
      const t = this.bytesOf(id);
      buf.set(t, o);
      o += t.length;
    }
    return new TextDecoder().decode(buf.subarray(0, o));
  }

  /** The raw bytes of one token (for streaming decoders that must wait for complete characters). */
  bytesOf(id: number): Uint8Array {
    const t = this.tokenBytes[id];
    if (!Number.isInteger(id) || t === undefined)
      throw new ShapeError(`token id ${id} is outside the vocabulary [0, ${this.vocabSize})`);
    return t;
  }

  toJSON(): BpeTokenizerJSON {
    return {
      format: 'reflectioncoder-bpe',
      version: 1,
      pretokenizer: 'gpt2',
      specials: [...ALL_SPECIALS],
      merges: this.merges.flat(),
    };
  }

  static fromJSON(j: unknown): BpeTokenizer {
    const o = j as Partial<BpeTokenizerJSON> | null;
    if (typeof o !== 'object' || o === null)
      throw new CheckpointError(`tokenizer JSON: expected an object, found ${o === null ? 'null' : typeof o}`);
    if (o.format !== 'reflectioncoder-bpe' || o.version !== 1) {
      throw new CheckpointError(
        `tokenizer JSON: expected format "reflectioncoder-bpe" version 1, found ${JSON.stringify(o.format)} version ${JSON.stringify(o.version)}`,
      );
    }
    if (o.pretokenizer !== 'gpt2')
      throw new CheckpointError(`tokenizer JSON: unknown pretokenizer ${JSON.stringify(o.pretokenizer)}`);
    if (
      !Array.isArray(o.specials) ||
      o.specials.length !== ALL_SPECIALS.length ||
      o.specials.some((s, i) => s !== ALL_SPECIALS[i])
    ) {
      throw new CheckpointError(`tokenizer JSON: specials must be ${JSON.stringify(ALL_SPECIALS)}`);
    }
    if (!Array.isArray(o.merges) || o.merges.length % 2 !== 0)
      throw new CheckpointError('tokenizer JSON: merges must be an array of id pairs');
    const merges: [number, number][] = [];
    for (let k = 0; k < o.merges.length / 2; k++) {
      const a = o.merges[2 * k];
      const b = o.merges[2 * k + 1];
      const limit = MIN_VOCAB_SIZE + k; // a merge may only use ids that exist before it
      for (const x of [a, b]) {
        if (!Number.isInteger(x) || (x as number) < BYTE_OFFSET || (x as number) >= limit) {
          throw new CheckpointError(
            `tokenizer JSON: merge ${k} uses id ${String(x)}, expected an integer in [${BYTE_OFFSET}, ${limit})`,
          );
        }
      }
      merges.push([a as number, b as number]);
    }
    if (MIN_VOCAB_SIZE + merges.length > MAX_VOCAB_SIZE)
      throw new CheckpointError(`tokenizer JSON: too many merges (${merges.length})`);
    return new BpeTokenizer(merges);
  }

  /** Counts GPT-2 pieces over the texts (special-token strings excluded: they are atomic). */
  private static countWords(texts: Iterable<string>): Map<string, number> {
    const split = makeSpecialSplitter(ALL_SPECIALS);
    const words = new Map<string, number>();
    for (const text of texts) {
      for (const part of split(text)) {
        if (part.special) continue;
        for (const w of splitWords(part.text)) words.set(w, (words.get(w) ?? 0) + 1);
      }
    }
    return words;
  }

  private static checkVocab(vocabSize: number): void {
    if (!Number.isInteger(vocabSize) || vocabSize < MIN_VOCAB_SIZE || vocabSize > MAX_VOCAB_SIZE) {
      throw new ConfigError(
        `vocabSize must be an integer in [${MIN_VOCAB_SIZE}, ${MAX_VOCAB_SIZE}], found ${vocabSize}`,
      );
    }
  }

  /** Trains up to vocabSize - 266 merges (fewer if the texts run out of pairs; see vocabSize). */
  static train(texts: Iterable<string>, vocabSize: number, opts: BpeTrainOptions = {}): BpeTokenizer {
    BpeTokenizer.checkVocab(vocabSize);
    const gen = learnMerges(BpeTokenizer.countWords(texts), vocabSize - MIN_VOCAB_SIZE, BYTE_OFFSET, MIN_VOCAB_SIZE);
    for (;;) {
      const r = gen.next();
      if (r.done) return new BpeTokenizer(r.value);
      void opts.onProgress?.(r.value);
    }
  }

  /** Like train, but awaits onProgress and `yieldFn` (the caller's yield to the event loop) between merge chunks
   *  (so a worker stays responsive to cancel/progress messages). */
  static async trainAsync(
    texts: Iterable<string>,
    vocabSize: number,
    opts: BpeTrainOptions & { yieldFn: () => Promise<void> },
  ): Promise<BpeTokenizer> {
    BpeTokenizer.checkVocab(vocabSize);
    const gen = learnMerges(BpeTokenizer.countWords(texts), vocabSize - MIN_VOCAB_SIZE, BYTE_OFFSET, MIN_VOCAB_SIZE);
    for (;;) {
      const r = gen.next();
      if (r.done) return new BpeTokenizer(r.value);
      await opts.onProgress?.(r.value);
      await opts.yieldFn();
    }
  }
}
