/**
 * Text generation with a Hugging Face model and its own tokenizer, and the HumanEval prompt
 * decision: a model whose tokenizer_config.json has a chat_template (an instruct/chat model) is
 * asked through it — one user message — and the code is read from its reply; a base model gets
 * plain completion of the prompt, as the original HumanEval harness does.
 */
import { UsageError } from '../../core/errors.ts';
import { generate } from '../../core/model/generate.ts';
import type { LlamaModel } from '../../core/model/llama.ts';
import type { HFTokenizer } from '../../core/tokenizer/hf.ts';
import { encodeChat } from '../../core/tokenizer/hf-chat.ts';

export type PromptStyle = 'chat' | 'completion';

export function promptStyle(tok: HFTokenizer): PromptStyle {
  return tok.chatTemplate ? 'chat' : 'completion';
}

/** Prompt ids for a HumanEval problem (its `prompt`: signature + docstring). */
export function humanEvalPromptIds(
  tok: HFTokenizer,
  problemPrompt: string,
  style: PromptStyle = promptStyle(tok),
): number[] {
  if (style === 'completion') {
    // The problem is content: added-token text in it stays text (src/core/prompt.ts); otherwise transformers' ids.
    if (!tok.addedTokens().some((t) => problemPrompt.includes(t.content))) return tok.encodeForPrompt(problemPrompt);
    return [...tok.encodeForPrompt(''), ...tok.encodeOrdinary(problemPrompt)];
  }
  const ask = `Complete the following Python function. Reply with the whole function in one \`\`\`python code block.\n\n\`\`\`python\n${problemPrompt}\`\`\``;
  return encodeChat(tok, [{ role: 'user', content: ask }]);
}

/** Stop ids: the tokenizer's EOS, plus any eos_token_id of generation_config.json. */
export function stopIds(tok: HFTokenizer, generationConfig?: Record<string, unknown>): number[] {
  const e = generationConfig?.eos_token_id;
  const extra =
    typeof e === 'number' ? [e] : Array.isArray(e) ? e.filter((x): x is number => typeof x === 'number') : [];
  return [...new Set([tok.eos, ...extra])];
}

export interface HFGenerateRequest {
  maxNewTokens: number;
  temperature?: number;
  topP?: number;
  seed?: number;
  stopTokens?: number[];
}

/** Generates from prompt ids and returns the decoded continuation (special tokens skipped). */
export async function generateHFText(
  model: LlamaModel,
  tok: HFTokenizer,
  promptIds: number[],
  req: HFGenerateRequest,
): Promise<string> {
  if (!Number.isInteger(req.maxNewTokens) || req.maxNewTokens < 1)
    throw new UsageError(`maxNewTokens must be an integer >= 1, found ${req.maxNewTokens}`);
  const ids = await generate(model, promptIds, { ...req, stopTokens: req.stopTokens ?? [tok.eos] });
  return tok.decode(ids, true);
}
