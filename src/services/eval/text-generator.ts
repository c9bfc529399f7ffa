/**
 * A completion generator over any "prompt text → text" function such as TrainerApi.generate (the browser's
 * trainer worker), which encodes the prompt with special-token strings atomic after BOS. That equals the §7 ids
 * exactly when the problem contains no special-token string (true for all 164 HumanEval problems; tested), so a
 * problem that does contain one is refused instead of being evaluated on different ids.
 */
import type { DecodingOptions, HumanEvalProblem } from '../../api/eval.ts';
import type { GenerateRequest } from '../../api/trainer.ts';
import { UsageError } from '../../core/errors.ts';
import { humanEvalPromptText, specialStringsIn } from '../../core/eval/prompt.ts';
import type { CompletionGenerator } from './evaluate.ts';

export type TextGenerate = (prompt: string, request: GenerateRequest) => Promise<string>;

export function textGenerator(generateText: TextGenerate, decoding: DecodingOptions): CompletionGenerator {
  return async (problem: HumanEvalProblem, sample) => {
    const specials = specialStringsIn(problem.prompt);
    if (specials.length) {
      throw new UsageError(`${problem.task_id}: the prompt contains special-token text ${specials.join(', ')}; the text generator would read it as structure`);
    }
    return generateText(humanEvalPromptText(problem.prompt), {
      maxNewTokens: decoding.maxNewTokens,
      temperature: decoding.temperature,
      topP: decoding.topP,
      seed: sample.seed,
    });
  };
}
