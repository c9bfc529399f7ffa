/**
 * A completion generator over any "prompt → text" function such as TrainerApi.generate (the browser's
 * trainer worker). The prompt goes as parts (humanEvalPrompt), which the worker encodes with encodePrompt:
 * exactly humanEvalPromptIds, so a problem containing special-token text is evaluated on the same ids as
 * in-thread (its text stays text).
 */
import type { DecodingOptions, HumanEvalProblem } from '../../api/eval.ts';
import type { GenerateRequest } from '../../api/trainer.ts';
import { humanEvalPrompt } from '../../core/eval/prompt.ts';
import type { Prompt } from '../../core/prompt.ts';
import type { CompletionGenerator } from './evaluate.ts';

export type TextGenerate = (prompt: Prompt, request: GenerateRequest) => Promise<string>;

export function textGenerator(generateText: TextGenerate, decoding: DecodingOptions): CompletionGenerator {
  return async (problem: HumanEvalProblem, sample) =>
    generateText(humanEvalPrompt(problem.prompt), {
      maxNewTokens: decoding.maxNewTokens,
      temperature: decoding.temperature,
      topP: decoding.topP,
      seed: sample.seed,
    });
}
