/** Shared loading of test/fixtures/tiny-llama for the model tests. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { configFromHF } from '../../../src/core/model/config.ts';
import { LlamaModel } from '../../../src/core/model/llama.ts';
import { parseSafetensors, type SafeTensor } from '../../../src/core/model/safetensors.ts';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const fixtureDir = path.join(repoRoot, 'test', 'fixtures', 'tiny-llama');
export const sharedDir = path.resolve(repoRoot, '..', 'shared');

/** The shape fields of test/fixtures/tiny-llama/config.json: a valid Hugging Face config to vary in tests. */
export const TINY_HF_CONFIG = {
  model_type: 'llama',
  vocab_size: 96,
  hidden_size: 32,
  intermediate_size: 64,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  max_position_embeddings: 128,
  rms_norm_eps: 1e-5,
  rope_theta: 10000,
  tie_word_embeddings: false,
};

export function readFixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(path.join(fixtureDir, name)));
}

export function loadTinyModel(): LlamaModel {
  const config = configFromHF(JSON.parse(new TextDecoder().decode(readFixture('config.json'))));
  const parsed = parseSafetensors(readFixture('model.safetensors'));
  const tensors = new Map<string, tf.Tensor>();
  for (const [n, t] of parsed) tensors.set(n, tf.tensor(t.data, t.shape, 'float32'));
  try {
    return LlamaModel.fromHFTensors(config, tensors);
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
}

export function reference(): Map<string, SafeTensor> {
  return parseSafetensors(readFixture('forward-reference.safetensors'));
}

/** max |a-b| / (max |b| + tiny): a scale-aware relative error. */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return num / (den + 1e-12);
}

/** Relative error of the difference's L2 norm. */
export function normRelErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  let n = 0;
  for (let i = 0; i < b.length; i++) {
    d += (a[i] - b[i]) ** 2;
    n += b[i] ** 2;
  }
  return Math.sqrt(d) / (Math.sqrt(n) + 1e-12);
}
