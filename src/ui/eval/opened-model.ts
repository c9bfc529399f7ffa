/**
 * The Evaluate panel's "opened model" choice: a Hugging Face folder opened in the Train tab (with its LoRA
 * adapter once fine-tuned there) is listed above the trained checkpoints, and its answers come from the
 * pretrained worker that holds it (src/ui/model-folder/opened.ts). How the model is asked — the paper's
 * prompt, its chat template, or plain completion — is decided per model in that worker (docs/pretrained.md).
 */
import type { BackendPreference } from '../../api/backend.ts';
import type { DecodingOptions } from '../../api/eval.ts';
import type { CompletionGenerator } from '../../page/services.ts';
import { h } from '../dom.ts';
import { openedModel, openedModelLabel, pretrainedWorker } from '../model-folder/opened.ts';
import { UsageError } from '../../core/errors.ts';

/** The <option> value of the opened model (checkpoint ids never take this form). */
export const OPENED_MODEL_VALUE = 'opened-model';

/** The select's children: the opened model (if any) in its own group, then the checkpoints. */
export function modelChoices(checkpointOptions: HTMLOptionElement[]): HTMLElement[] {
  const info = openedModel();
  if (!info) return checkpointOptions;
  return [
    h(
      'optgroup',
      { label: 'Opened model (Hugging Face folder)' },
      new Option(openedModelLabel(info), OPENED_MODEL_VALUE),
    ),
    h('optgroup', { label: 'Trained checkpoints' }, ...checkpointOptions),
  ];
}

/** The opened model's generator and the reference a saved run keeps (in place of a checkpoint's). */
export async function openedModelGenerator(
  pref: BackendPreference,
  dec: DecodingOptions,
): Promise<{ generator: CompletionGenerator; ref: { id: string; name: string; step: number } }> {
  const info = openedModel();
  if (!info) throw new UsageError('The opened model is no longer loaded; open the folder again in the Train tab.');
  if (!info.hasTokenizer)
    throw new UsageError(`${info.label} has no tokenizer.json: HumanEval needs the model's own tokenizer.`);
  const api = await pretrainedWorker(pref);
  const generator: CompletionGenerator = (problem, sample) =>
    api.humanEvalAnswer(problem.prompt, {
      maxNewTokens: dec.maxNewTokens,
      temperature: dec.temperature,
      topP: dec.topP,
      seed: sample.seed,
    });
  return {
    generator,
    ref: { id: `opened:${info.label}`, name: openedModelLabel(info), step: info.finetuned?.steps ?? 0 },
  };
}
