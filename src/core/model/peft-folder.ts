/** A PEFT LoRA adapter folder (adapter_config.json + adapter_model.safetensors) from any ModelSource. */
import { CheckpointError, ConfigError } from '../errors.ts';
import type { LlamaConfig } from './config.ts';
import type { ModelSource } from './hf-folder.ts';
import { LoraAdapter } from './lora.ts';
import { parseSafetensors } from './safetensors.ts';

export async function loadPeftAdapter(src: ModelSource, mc: LlamaConfig): Promise<LoraAdapter> {
  const files = new Set(src.files());
  for (const f of ['adapter_config.json', 'adapter_model.safetensors']) if (!files.has(f)) throw new CheckpointError(`${src.label}: not a PEFT adapter folder (no ${f})`);
  let cfg: unknown;
  try {
    cfg = JSON.parse(new TextDecoder().decode(await src.read('adapter_config.json')));
  } catch (e) {
    throw new ConfigError(`${src.label}/adapter_config.json is not valid JSON: ${(e as Error).message}`);
  }
  const tensors = parseSafetensors(await src.read('adapter_model.safetensors'));
  return LoraAdapter.fromPeft(mc, cfg, tensors);
}
