/**
 * A completion generator over a LlamaModel + its BpeTokenizer in this thread (CLI, tests, a worker): prompt ids
 * built per docs/METHOD.md §7 (humanEvalPromptIds); generation stops at <|endofblock|> / <|endofmessage|> / <|eos|>.
 * Kept apart from text-generator.ts so the page bundle, which only needs the text generator, does not pull in tfjs.
 */
import type { DecodingOptions } from '../../api/eval.ts';
import { humanEvalPromptIds } from '../../core/eval/prompt.ts';
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
