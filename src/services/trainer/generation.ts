/**
 * Text generation with a trained model and its own tokenizer: text in → text out, stopping at
 * <|endofblock|> / <|endofmessage|> (docs/METHOD.md §7), streaming decoded text deltas.
 */
import * as tf from '@tensorflow/tfjs';
import type { CheckpointFiles } from '../../api/store.ts';
import type { GenerateRequest } from '../../api/trainer.ts';
import { UsageError } from '../../core/errors.ts';
import { validateConfig } from '../../core/model/config.ts';
import { generate } from '../../core/model/generate.ts';
import { LlamaModel } from '../../core/model/llama.ts';
import { encodePrompt, type Prompt } from '../../core/prompt.ts';
import { BpeTokenizer } from '../../core/tokenizer/bpe.ts';
import { parseCheckpoint, toTensor } from './checkpoint.ts';

export class LoadedModel {
  constructor(
    readonly model: LlamaModel,
    readonly tokenizer: BpeTokenizer,
    /** Whether dispose() frees the model (false when it belongs to a training run). */
    private readonly owned = true,
  ) {}

  static fromCheckpoint(files: CheckpointFiles): LoadedModel {
    const { json, weights } = parseCheckpoint(files);
    const tokenizer = BpeTokenizer.fromJSON(json.tokenizer);
    const config = validateConfig(json.modelConfig);
    const tensors = new Map([...weights].map(([n, st]) => [n, toTensor(st)]));
    try {
      return new LoadedModel(LlamaModel.fromHFTensors(config, tensors), tokenizer);
    } finally {
      tf.dispose([...tensors.values()]);
    }
  }

  dispose(): void {
    if (this.owned) this.model.dispose();
  }
}

const STOPS = ['<|endofblock|>', '<|endofmessage|>', '<|eos|>'];

/** BOS + the prompt's parts (encodePrompt: structure tokens atomic, content always ordinary text). */
export async function generateText(
  src: LoadedModel,
  prompt: Prompt,
  req: GenerateRequest,
  onText?: (delta: string) => void,
): Promise<string> {
  if (!Number.isInteger(req.maxNewTokens) || req.maxNewTokens < 1)
    throw new UsageError(`maxNewTokens must be an integer >= 1, found ${req.maxNewTokens}`);
  const tok = src.tokenizer;
  const promptIds = encodePrompt(tok, prompt);
  const ids: number[] = [];
  let emitted = '';
  const ids_ = await generate(src.model, promptIds, {
    maxNewTokens: req.maxNewTokens,
    temperature: req.temperature,
    topP: req.topP,
    seed: req.seed,
    stopTokens: STOPS.map((s) => tok.special(s)),
    onToken: (id) => {
      ids.push(id);
      const text = tok.decode(ids);
      // Hold back an incomplete UTF-8 sequence (decoded as U+FFFD) until its last byte arrives.
      if (onText && !text.endsWith('\uFFFD') && text.length > emitted.length) {
        onText(text.slice(emitted.length));
        emitted = text;
      }
    },
  });
  const text = tok.decode(ids_);
  if (onText && text.length > emitted.length && text.startsWith(emitted)) onText(text.slice(emitted.length));
  return text;
}
