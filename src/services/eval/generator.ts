/**
 * Completion generators for the evaluation service.
 * - modelGenerator: a LlamaModel + its BpeTokenizer in this thread (CLI, tests, a worker): prompt ids built
 *   per METHOD §7 (humanEvalPromptIds), generation stops at <|endofblock|> / <|endofmessage|> / <|eos|>.
 * - textGenerator: any "prompt text → text" function such as TrainerApi.generate (the browser's trainer
 *   worker), which encodes the prompt with special-token strings atomic after BOS. That equals the §7 ids
 *   exactly when the problem contains no special-token string (true for all 164 HumanEval problems;
 *   tested), so a problem that does contain one is refused instead of being evaluated on different ids.
 */
import type { DecodingOptions, HumanEvalProblem } from '../../api/eval.ts';
import type { GenerateRequest } from '../../api/trainer.ts';
import { UsageError } from '../../core/errors.ts';
import { humanEvalPromptIds, humanEvalPromptText, specialStringsIn } from '../../core/eval/prompt.ts';
import { generate } from '../../core/model/generate.ts';
import type { LlamaModel } from '../../core/model/llama.ts';
import type { BpeTokenizer } from '../../core/tokenizer/bpe.ts';
import type { CompletionGenerator } from './evaluate.ts';

const STOPS = ['<|endofblock|>', '<|endofmessage|>', '<|eos|>'];

export function modelGenerator(model: LlamaModel, tok: BpeTokenizer, decoding: DecodingOptions): CompletionGenerator {
  const stopTokens = STOPS.map((s) => tok.special(s));
  return async (problem, sample) => {
    const promptIds = humanEvalPromptIds(problem.prompt, tok);
    // A prompt longer than the context throws ShapeError; the service records it as an empty completion.
    const ids = await generate(model, promptIds, {
      maxNewTokens: decoding.maxNewTokens,
      temperature: decoding.temperature,
      topP: decoding.topP,
      seed: sample.seed,
      stopTokens,
    });
    return tok.decode(ids);
  };
}

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
