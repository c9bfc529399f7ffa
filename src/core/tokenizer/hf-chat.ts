/** Chat templates (tokenizer_config.json `chat_template`) rendered with @huggingface/jinja, as transformers does. */
import { Template } from '@huggingface/jinja';
import { TokenizerError } from '../errors.ts';
import type { HFTokenizer } from './hf.ts';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

function tokenText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && v !== null && typeof (v as { content?: unknown }).content === 'string')
    return (v as { content: string }).content;
  return '';
}

/** The prompt text for `messages` (add_generation_prompt opens the assistant turn). */
export function renderChat(
  tok: HFTokenizer,
  messages: ChatMessage[],
  opts: { addGenerationPrompt?: boolean } = {},
): string {
  const source = tok.chatTemplate;
  if (!source) throw new TokenizerError('this tokenizer has no chat_template (a base model: use plain completion)');
  let template: Template;
  try {
    template = new Template(source);
  } catch (e) {
    throw new TokenizerError(`chat_template does not parse: ${(e as Error).message}`);
  }
  const c = tok.tokenizerConfig;
  return template.render({
    messages,
    add_generation_prompt: opts.addGenerationPrompt ?? true,
    bos_token: tokenText(c.bos_token),
    eos_token: tokenText(c.eos_token),
    pad_token: tokenText(c.pad_token),
    unk_token: tokenText(c.unk_token),
  });
}

/**
 * Token ids of the rendered chat: the template writes its special tokens as text, so encode() recognises them.
 * Message content is never structure (src/core/prompt.ts): when a message holds added-token text (an
 * "<|im_end|>" inside code or a problem), the chat is rendered with a marker in place of each content, the
 * template's text is encoded with its specials and each content as ordinary text. Content without such text
 * gives exactly transformers' ids (the whole rendered string, encoded once).
 */
export function encodeChat(
  tok: HFTokenizer,
  messages: ChatMessage[],
  opts: { addGenerationPrompt?: boolean } = {},
): number[] {
  const added = tok.addedTokens().map((t) => t.content);
  if (!messages.some((m) => added.some((a) => m.content.includes(a))))
    return tok.encode(renderChat(tok, messages, opts));
  const mark = (i: number) => `\uE000rcw-content-${i}\uE001`;
  const text = renderChat(
    tok,
    messages.map((m, i) => ({ ...m, content: mark(i) })),
    opts,
  );
  const ids: number[] = [];
  let at = 0;
  let seen = 0;
  for (const m of text.matchAll(/\uE000rcw-content-(\d+)\uE001/g)) {
    ids.push(...tok.encode(text.slice(at, m.index)), ...tok.encodeOrdinary(messages[Number(m[1])]!.content));
    at = m.index + m[0].length;
    seen++;
  }
  if (seen !== messages.length) {
    throw new TokenizerError(
      'this chat template transforms message content, so a message holding special-token text cannot be encoded safely; remove that text from the message',
    );
  }
  ids.push(...tok.encode(text.slice(at)));
  return ids;
}
