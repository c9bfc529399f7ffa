/**
 * Hugging Face tokenizers (tokenizer.json + tokenizer_config.json) through @huggingface/tokenizers,
 * the JS port of the Rust library: no second BPE here.
 *
 * - encode(text): what `tokenizers` gives with add_special_tokens=false — added tokens written in
 *   the text are recognised, as Hugging Face does.
 * - encodeOrdinary(text): the text is always ordinary text (a tokenizer built without the added
 *   tokens), which is what record serialisation needs for block contents.
 * - withReflectionTokens(): the seven ReflectionCoder tokens added as special tokens in the
 *   official order (SenseLLM/ReflectionCoder src/utils/processor.py), as the Rust library assigns
 *   ids: one after the largest id so far, i.e. len(tokenizer) … len(tokenizer)+6. A token that
 *   already exists keeps its id (a model exported by this project is not changed again).
 */
import { Tokenizer } from '@huggingface/tokenizers';
import { TokenizerError } from '../errors.ts';
import type { TokenizerLike } from '../records/serialize.ts';

/** The official order (CodeProcessor.special_token). */
export const REFLECTION_TOKENS = [
  '<|user|>',
  '<|assistant|>',
  '<|text|>',
  '<|code|>',
  '<|execution|>',
  '<|endofblock|>',
  '<|endofmessage|>',
] as const;
const MODEL_TYPES = ['BPE', 'Unigram', 'WordPiece'];

interface AddedTokenJson {
  id: number;
  content: string;
  single_word?: boolean;
  lstrip?: boolean;
  rstrip?: boolean;
  normalized?: boolean;
  special?: boolean;
}
type Json = Record<string, unknown>;

function tokenContent(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && v !== null && typeof (v as Json).content === 'string')
    return (v as Json).content as string;
  return null;
}

function build(json: Json, config: Json): Tokenizer {
  try {
    return new Tokenizer(json, config);
  } catch (e) {
    throw new TokenizerError(`tokenizer.json could not be read: ${(e as Error).message}`);
  }
}

export class HFTokenizer implements TokenizerLike {
  private readonly tok: Tokenizer;
  private plain: Tokenizer | null = null;
  readonly tokenizerJson: Json;
  readonly tokenizerConfig: Json;
  /** len(tokenizer): every id including added tokens (max id + 1). */
  readonly size: number;
  readonly bos: number;
  readonly eos: number;
  readonly pad: number;
  /** BOS to prepend to a record: the tokenizer's bos_token, or (no BOS, e.g. Qwen) its EOS — see docs/pretrained.md. */
  readonly hasOwnBos: boolean;

  constructor(tokenizerJson: unknown, tokenizerConfig: unknown = {}) {
    if (typeof tokenizerJson !== 'object' || tokenizerJson === null)
      throw new TokenizerError('tokenizer.json: expected a JSON object');
    const json = tokenizerJson as Json;
    const model = json.model as Json | undefined;
    if (!model || typeof model !== 'object') throw new TokenizerError('tokenizer.json: no "model" section');
    if (!MODEL_TYPES.includes(String(model.type)))
      throw new TokenizerError(
        `tokenizer.json: model type ${JSON.stringify(model.type)} is not supported; supported: ${MODEL_TYPES.join(', ')}`,
      );
    if (!Array.isArray(json.added_tokens)) json.added_tokens = [];
    this.tokenizerJson = json;
    this.tokenizerConfig = (
      typeof tokenizerConfig === 'object' && tokenizerConfig !== null ? tokenizerConfig : {}
    ) as Json;
    this.tok = build(json, this.tokenizerConfig);
    let max = -1;
    for (const id of this.tok.get_vocab(true).values()) if (id > max) max = id;
    this.size = max + 1;
    const idOf = (key: string): number | undefined => {
      const c = tokenContent(this.tokenizerConfig[key]);
      return c === null ? undefined : this.tok.token_to_id(c);
    };
    const eos = idOf('eos_token') ?? this.tok.token_to_id('<|endoftext|>') ?? this.tok.token_to_id('</s>');
    if (eos === undefined)
      throw new TokenizerError('tokenizer: no eos_token in tokenizer_config.json and no <|endoftext|> or </s> token');
    const bos = idOf('bos_token');
    this.eos = eos;
    this.hasOwnBos = bos !== undefined;
    this.bos = bos ?? eos;
    this.pad = idOf('pad_token') ?? eos;
  }

  /** The added tokens (id order). */
  addedTokens(): AddedTokenJson[] {
    return (this.tokenizerJson.added_tokens as AddedTokenJson[]).slice().sort((a, b) => a.id - b.id);
  }

  /** ids with add_special_tokens=false; added tokens in the text are recognised. */
  encode(text: string): number[] {
    return this.tok.encode(text, { add_special_tokens: false }).ids;
  }

  /** ids as `tokenizer(text)` gives them by default (add_special_tokens=true: e.g. Llama's BOS). */
  encodeForPrompt(text: string): number[] {
    return this.tok.encode(text, { add_special_tokens: true }).ids;
  }

  /** ids of the text as ordinary text: added-token strings are tokenised like any other text. */
  encodeOrdinary(text: string): number[] {
    this.plain ??= build(
      { ...this.tokenizerJson, added_tokens: [] },
      { ...this.tokenizerConfig, additional_special_tokens: [] },
    );
    return this.plain.encode(text, { add_special_tokens: false }).ids;
  }

  decode(ids: number[], skipSpecial = false): string {
    if (ids.length === 0) return '';
    return this.tok.decode(ids, { skip_special_tokens: skipSpecial, clean_up_tokenization_spaces: false });
  }

  tokenToId(token: string): number | undefined {
    return this.tok.token_to_id(token);
  }

  idToToken(id: number): string | undefined {
    return this.tok.id_to_token(id);
  }

  /** Id of an added/special token by its text (the serialiser's role and block tokens). */
  special(name: string): number {
    const id = this.tok.token_to_id(name);
    if (id === undefined)
      throw new TokenizerError(
        `tokenizer has no token ${name}; add the ReflectionCoder tokens first (--add-reflection-tokens)`,
      );
    return id;
  }

  /** Whether every ReflectionCoder token is already a token. */
  hasReflectionTokens(): boolean {
    return REFLECTION_TOKENS.every((t) => this.tok.token_to_id(t) !== undefined);
  }

  /**
   * A tokenizer with the seven tokens added as special tokens (Rust AddedVocabulary rule: a new
   * token gets max id + 1; an existing one keeps its id). `added` lists only the new ones.
   */
  withReflectionTokens(): { tokenizer: HFTokenizer; added: { token: string; id: number }[] } {
    const tokens = this.addedTokens();
    let next = this.size;
    const added: { token: string; id: number }[] = [];
    for (const t of REFLECTION_TOKENS) {
      if (this.tok.token_to_id(t) !== undefined) continue;
      tokens.push({
        id: next,
        content: t,
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: false,
        special: true,
      });
      added.push({ token: t, id: next++ });
    }
    if (!added.length) return { tokenizer: this, added };
    const extra = (this.tokenizerConfig.additional_special_tokens as unknown[] | undefined) ?? [];
    const config = { ...this.tokenizerConfig, additional_special_tokens: [...extra, ...added.map((a) => a.token)] };
    return { tokenizer: new HFTokenizer({ ...this.tokenizerJson, added_tokens: tokens }, config), added };
  }

  /** The chat template string of tokenizer_config.json, when the model has one. */
  get chatTemplate(): string | null {
    const t = this.tokenizerConfig.chat_template;
    if (typeof t === 'string') return t;
    if (Array.isArray(t)) {
      const d = t.find((x) => (x as Json)?.name === 'default') as Json | undefined;
      return typeof d?.template === 'string' ? d.template : null;
    }
    return null;
  }
}
