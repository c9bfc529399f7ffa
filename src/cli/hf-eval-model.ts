/**
 * `evaluate --model <Hugging Face folder>`: the model with its own tokenizer, asked in its prompt style (the paper's
 * prompt once it has the seven ReflectionCoder tokens, its chat template, or plain completion: docs/pretrained.md).
 */
import type { DecodingOptions } from '../api/eval.ts';
import { UsageError } from '../core/errors.ts';
import { loadHFFolder } from '../core/model/hf-folder.ts';
import { loadHFTokenizer } from '../core/tokenizer/hf-load.ts';
import { nodeModelSource } from '../platform/node/model-folder.ts';
import type { CompletionGenerator } from '../services/eval/evaluate.ts';
import { currentLimits } from '../services/trainer/finetune.ts';
import { hfCompletionGenerator, promptStyle } from '../services/trainer/hf-generation.ts';

export interface HFEvalModel {
  source: string;
  generator(decoding: DecodingOptions): CompletionGenerator;
  dispose(): void;
}

const STYLE = { reflection: 'paper prompt', chat: 'chat template', completion: 'plain completion' } as const;

export async function loadHFEvalModel(dir: string): Promise<HFEvalModel> {
  const src = nodeModelSource(dir);
  // The tokenizer first: without it nothing is worth reading.
  const tok = await loadHFTokenizer(src);
  if (!tok) throw new UsageError(`--model: ${dir} has no tokenizer.json; HumanEval needs the model's own tokenizer`);
  // 4096 positions cover a HumanEval prompt + the default 1024 new tokens; the RoPE tables stay small.
  const { model, plan } = await loadHFFolder(src, { maxContext: 4096, limits: currentLimits() });
  return {
    source: `Hugging Face folder ${dir} (${STYLE[promptStyle(tok)]})`,
    generator: (decoding) => hfCompletionGenerator(model, tok, decoding, plan.generationConfig),
    dispose: () => model.dispose(),
  };
}
