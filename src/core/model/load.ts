/**
 * Model files in and out, from bytes (the CLI reads them from disk, the UI from File objects or
 * IndexedDB): a llama2.c `.bin`, or a Hugging Face pair `config.json` + `model.safetensors`.
 * Everything is parsed and checked before a single variable is created, and temporary tensors
 * are disposed on every path, so a bad file loads nothing and leaks nothing.
 */
import * as tf from '@tensorflow/tfjs';
import { CheckpointError, ConfigError } from '../errors.ts';
import { firstNonFinite } from './budget.ts';
import { configFromHF, configToHF } from './config.ts';
import { importLlama2c } from './llama2c.ts';
import { LlamaModel } from './llama.ts';
import { parseSafetensors, writeSafetensors, type WritableTensor } from './safetensors.ts';

export type ModelFiles =
  { kind: 'llama2c'; bin: Uint8Array } | { kind: 'hf'; config: Uint8Array | string | object; safetensors: Uint8Array };

export function loadModel(files: ModelFiles): LlamaModel {
  if (files.kind === 'llama2c') {
    const { config, tensors } = importLlama2c(files.bin);
    try {
      return LlamaModel.fromHFTensors(config, tensors);
    } finally {
      for (const t of tensors.values()) t.dispose();
    }
  }
  return loadHF(files.config, files.safetensors);
}

function parseConfigJson(raw: Uint8Array | string | object): unknown {
  if (typeof raw === 'object' && !(raw instanceof Uint8Array)) return raw;
  const text = typeof raw === 'string' ? raw : new TextDecoder().decode(raw);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`config.json is not valid JSON: ${(e as Error).message}`);
  }
}

function loadHF(configRaw: Uint8Array | string | object, bytes: Uint8Array): LlamaModel {
  const config = configFromHF(parseConfigJson(configRaw));
  const parsed = parseSafetensors(bytes);
  for (const [name, t] of parsed) {
    if (!(t.data instanceof Float32Array))
      throw new CheckpointError(
        `model.safetensors: tensor ${name} is ${t.dtype}; model weights must be F32, F16 or BF16`,
      );
    const bad = firstNonFinite(t.data);
    if (bad >= 0)
      throw new CheckpointError(
        `model.safetensors: tensor ${name} holds a non-finite weight (${t.data[bad]}) at index ${bad} (corrupt or diverged file?)`,
      );
  }
  const tensors = new Map<string, tf.Tensor>();
  try {
    for (const [name, t] of parsed) tensors.set(name, tf.tensor(t.data, t.shape, 'float32'));
    return LlamaModel.fromHFTensors(config, tensors);
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
}

/** config.json text and model.safetensors bytes (float32, Hugging Face names and layout). */
export async function saveModel(
  model: LlamaModel,
  metadata: Record<string, string> = {},
): Promise<{ configJson: string; safetensors: Uint8Array }> {
  const hf = model.toHFTensors();
  try {
    const out = new Map<string, WritableTensor>();
    for (const [name, t] of hf) out.set(name, { shape: t.shape, data: (await t.data()) as Float32Array });
    return {
      configJson: JSON.stringify(configToHF(model.config), null, 2),
      safetensors: writeSafetensors(out, { format: 'pt', ...metadata }),
    };
  } finally {
    for (const t of hf.values()) t.dispose();
  }
}
