/** A PEFT LoRA adapter folder (adapter_config.json + adapter_model.safetensors) from any ModelSource. */
import * as tf from '@tensorflow/tfjs';
import { CheckpointError, ConfigError } from '../errors.ts';
import { refuseNonFinite } from './budget.ts';
import type { LlamaConfig } from './config.ts';
import type { ModelSource } from './hf-folder.ts';
import { EMBED, LM_HEAD, type LlamaModel } from './llama.ts';
import { LoraAdapter, PEFT_PREFIX } from './lora.ts';
import { parseSafetensors } from './safetensors.ts';

export async function loadPeftAdapter(src: ModelSource, mc: LlamaConfig): Promise<LoraAdapter> {
  const files = new Set(src.files());
  for (const f of ['adapter_config.json', 'adapter_model.safetensors'])
    if (!files.has(f)) throw new CheckpointError(`${src.label}: not a PEFT adapter folder (no ${f})`);
  let cfg: unknown;
  try {
    cfg = JSON.parse(new TextDecoder().decode(await src.read('adapter_config.json')));
  } catch (e) {
    throw new ConfigError(`${src.label}/adapter_config.json is not valid JSON: ${(e as Error).message}`);
  }
  const tensors = parseSafetensors(await src.read('adapter_model.safetensors'));
  refuseNonFinite(tensors, `${src.label}/adapter_model.safetensors`);
  return LoraAdapter.fromPeft(mc, cfg, tensors);
}

/**
 * A PEFT adapter on a loaded base: the LoRA modules, plus any `modules_to_save` embedding / head
 * (a run that added tokens saves them resized) written into the base. The base must already have
 * the adapter's vocabulary (add the tokens first: its tokenizer files come with the adapter).
 */
export async function applyPeftAdapter(src: ModelSource, model: LlamaModel): Promise<LoraAdapter> {
  const tensors = parseSafetensors(await src.read('adapter_model.safetensors'));
  refuseNonFinite(tensors, `${src.label}/adapter_model.safetensors`);
  for (const [name, key] of [
    [EMBED, `${PEFT_PREFIX}${EMBED}`],
    [LM_HEAD, `${PEFT_PREFIX}${LM_HEAD}`],
  ] as const) {
    const t = tensors.get(key);
    if (!t) continue;
    const want = [model.config.vocabSize, model.config.dim];
    if (t.shape.join(',') !== want.join(','))
      throw new CheckpointError(
        `adapter ${key} is [${t.shape}], the base has [${want}]: another base model, or the base lacks the adapter's added tokens`,
      );
    const target = name === LM_HEAD && model.config.tieEmbeddings ? null : model.params.get(name);
    if (!target) continue; // tied: the embedding is the head
    const stored = tf.tidy(() => model.fromHF(name, tf.tensor(t.data as Float32Array, t.shape, 'float32')));
    target.assign(stored);
    stored.dispose();
  }
  const adapter = await loadPeftAdapter(src, model.config);
  adapter.attach(model);
  return adapter;
}
