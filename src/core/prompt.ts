/**
 * Prompts as structure, not as text. A prompt is a list of parts: structure tokens by name, and
 * content (instructions, code, execution output, problem text). `encodePrompt` is the ONE way a
 * prompt becomes ids: structure tokens are single ids, content is always ordinary text, so a
 * special-token string inside code or an execution result ("<|endofblock|>") can never turn into
 * a structure token (format injection). Every prompt path builds parts: the Reflect panel's local
 * model, the trainer's generate(), the Train panel's try box and the HumanEval prompt.
 */
import { UsageError } from './errors.ts';
import { ALL_SPECIALS, SPECIAL_TOKENS } from './tokenizer/bpe.ts';

export type PromptPart = { special: string } | { text: string };
export type Prompt = readonly PromptPart[];

export interface PromptTokenizer {
  readonly bos: number;
  special(name: string): number;
  /** Special-token strings are plain text here. */
  encodeOrdinary(text: string): number[];
}

export const special = (name: (typeof SPECIAL_TOKENS)[number]): PromptPart => ({ special: name });
export const text = (content: string): PromptPart => ({ text: content });

/** One block of docs/METHOD.md §2: <|type|> content <|endofblock|>. */
export function block(type: 'text' | 'code' | 'execution', content: string): PromptPart[] {
  return [{ special: `<|${type}|>` }, { text: content }, { special: '<|endofblock|>' }];
}

/** A user message holding one text block, then the open assistant message (and an opened block). */
export function userTurn(content: string, open: 'text' | 'code' | null = 'text'): PromptPart[] {
  return [
    special('<|user|>'),
    ...block('text', content),
    special('<|endofmessage|>'),
    special('<|assistant|>'),
    ...(open ? [{ special: `<|${open}|>` }] : []),
  ];
}

/** BOS (unless `bos: false`) + the parts: specials atomic, content ordinary. */
export function encodePrompt(tok: PromptTokenizer, prompt: Prompt, opts: { bos?: boolean } = {}): number[] {
  const out: number[] = opts.bos === false ? [] : [tok.bos];
  for (const p of checkPrompt(prompt)) {
    if ('special' in p) out.push(tok.special(p.special));
    else for (const id of tok.encodeOrdinary(p.text)) out.push(id);
  }
  return out;
}

/** Checks a prompt that crossed a boundary (worker message, JSON): parts only, known specials only. */
export function checkPrompt(raw: unknown): Prompt {
  if (!Array.isArray(raw))
    throw new UsageError(`a prompt must be a list of parts ({special} or {text}), found ${typeof raw}`);
  raw.forEach((p: unknown, i) => {
    const o = p as Record<string, unknown> | null;
    const ok =
      o !== null &&
      typeof o === 'object' &&
      Object.keys(o).length === 1 &&
      (typeof o.text === 'string' || (typeof o.special === 'string' && ALL_SPECIALS.includes(o.special)));
    if (!ok)
      throw new UsageError(
        `prompt part ${i}: expected {"special": one of ${ALL_SPECIALS.join(' ')}} or {"text": string}, found ${JSON.stringify(p)?.slice(0, 80)}`,
      );
  });
  return raw as Prompt;
}

/**
 * A prompt TYPED by the person at the keyboard (CLI --prompt, the Train panel's raw mode): the
 * special-token strings they wrote are structure they asked for. Never use this for content that
 * came from a model, a dataset or an execution.
 */
export function promptFromTypedText(typed: string): Prompt {
  const parts: PromptPart[] = [];
  const re = new RegExp(ALL_SPECIALS.map((s) => s.replace(/[|]/g, '\\|')).join('|'), 'g');
  let last = 0;
  for (const m of typed.matchAll(re)) {
    if (m.index > last) parts.push({ text: typed.slice(last, m.index) });
    parts.push({ special: m[0] });
    last = m.index + m[0].length;
  }
  if (last < typed.length) parts.push({ text: typed.slice(last) });
  return parts;
}

/** The prompt as text (for display and logs only; never encode this string back). */
export function promptToText(prompt: Prompt): string {
  return prompt.map((p) => ('special' in p ? p.special : p.text)).join('');
}
