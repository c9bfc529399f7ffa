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
  if (typeof v === 'object' && v !== null && typeof (v as { content?: unknown }).content === 'string') return (v as { content: string }).content;
  return '';
}

/** The prompt text for `messages` (add_generation_prompt opens the assistant turn). */
export function renderChat(tok: HFTokenizer, messages: ChatMessage[], opts: { addGenerationPrompt?: boolean } = {}): string {
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

/** Token ids of the rendered chat: the template writes its special tokens as text, so encode() recognises them. */
export function encodeChat(tok: HFTokenizer, messages: ChatMessage[], opts: { addGenerationPrompt?: boolean } = {}): number[] {
  return tok.encode(renderChat(tok, messages, opts));
}
