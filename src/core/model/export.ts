/**
 * Export of a fine-tuned model as files a Hugging Face user loads directly:
 *
 * - `merged`: config.json (the base's own keys, vocab_size updated, float32), model.safetensors
 *   (F32, Hugging Face names; base + s·B·A and the new-token rows merged), tokenizer.json and
 *   tokenizer_config.json WITH the seven tokens. `AutoModelForCausalLM.from_pretrained(folder)`
 *   loads it; the official trainer can continue from it (docs/pretrained.md).
 * - `peft`: adapter_config.json + adapter_model.safetensors with keys
 *   `base_model.model.<module>.lora_A.weight` [r, in] / `.lora_B.weight` [out, r]. When the run
 *   added tokens, the resized embedding (and untied head) are saved as PEFT `modules_to_save`
 *   (`base_model.model.model.embed_tokens.weight`, `base_model.model.lm_head.weight`), and the
 *   tokenizer files are included: resize the base to len(tokenizer) before loading the adapter.
 */
import * as tf from '@tensorflow/tfjs';
import type { HFTokenizer } from '../tokenizer/hf.ts';
import { EMBED, LM_HEAD, type LlamaModel } from './llama.ts';
import { moduleOf, PEFT_PREFIX, peftConfigJson, type LoraAdapter } from './lora.ts';
import { writeSafetensors, type WritableTensor } from './safetensors.ts';

const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o, null, 2));

async function writable(t: tf.Tensor): Promise<WritableTensor> {
  return { shape: t.shape.slice(), data: (await t.data()) as Float32Array };
}

function tokenizerFiles(tok: HFTokenizer): Map<string, Uint8Array> {
  const config = { ...tok.tokenizerConfig };
  // Keep tokenizer_config.json's own table of added tokens in step with tokenizer.json.
  const decoder = { ...((config.added_tokens_decoder as Record<string, unknown> | undefined) ?? {}) };
  for (const t of tok.addedTokens())
    decoder[String(t.id)] ??= {
      content: t.content,
      lstrip: !!t.lstrip,
      normalized: !!t.normalized,
      rstrip: !!t.rstrip,
      single_word: !!t.single_word,
      special: !!t.special,
    };
  if (config.added_tokens_decoder) config.added_tokens_decoder = decoder;
  return new Map([
    ['tokenizer.json', enc(tok.tokenizerJson)],
    ['tokenizer_config.json', enc(config)],
  ]);
}

/** Hugging Face-layout weights of base + adapter (adapter may be null: full fine-tuning). */
export function mergedTensors(model: LlamaModel, adapter: LoraAdapter | null): Map<string, tf.Tensor> {
  const all = model.toHFTensors();
  if (adapter) {
    for (const [name, t] of adapter.mergedWeights(model)) {
      all.get(name)?.dispose();
      all.set(name, t);
    }
  }
  return all;
}

export async function exportMerged(
  model: LlamaModel,
  adapter: LoraAdapter | null,
  tokenizer: HFTokenizer | null,
  hfConfig: Record<string, unknown>,
  extra: Map<string, Uint8Array> = new Map(),
): Promise<Map<string, Uint8Array>> {
  const tensors = mergedTensors(model, adapter);
  try {
    const w = new Map<string, WritableTensor>();
    for (const [name, t] of tensors) w.set(name, await writable(t));
    const config = {
      ...hfConfig,
      vocab_size: model.config.vocabSize,
      torch_dtype: 'float32',
      tie_word_embeddings: model.config.tieEmbeddings,
    };
    const files = new Map<string, Uint8Array>([
      ['config.json', enc(config)],
      ['model.safetensors', writeSafetensors(w, { format: 'pt' })],
      ...(tokenizer ? tokenizerFiles(tokenizer) : []),
      ...extra,
    ]);
    return files;
  } finally {
    tf.dispose([...tensors.values()]);
  }
}

export async function exportPeft(
  model: LlamaModel,
  adapter: LoraAdapter,
  tokenizer: HFTokenizer | null,
  baseName: string,
): Promise<Map<string, Uint8Array>> {
  const w = new Map<string, WritableTensor>();
  for (const [weight, { a, b }] of adapter.modules) {
    const m = `${PEFT_PREFIX}${moduleOf(weight)}`;
    const A = tf.transpose(a);
    const B = tf.transpose(b);
    w.set(`${m}.lora_A.weight`, await writable(A));
    w.set(`${m}.lora_B.weight`, await writable(B));
    tf.dispose([A, B]);
  }
  const modulesToSave: string[] = [];
  if (adapter.rows) {
    const merged = adapter.mergedWeights(model);
    try {
      for (const [name, key, mod] of [
        [EMBED, `${PEFT_PREFIX}${EMBED}`, 'embed_tokens'],
        [LM_HEAD, `${PEFT_PREFIX}${LM_HEAD}`, 'lm_head'],
      ] as const) {
        const t = merged.get(name);
        if (!t) continue;
        w.set(key, await writable(t));
        modulesToSave.push(mod);
      }
    } finally {
      tf.dispose([...merged.values()]);
    }
  }
  const config = peftConfigJson(adapter.config, baseName);
  if (modulesToSave.length) config.modules_to_save = modulesToSave;
  return new Map([
    ['adapter_config.json', enc(config)],
    ['adapter_model.safetensors', writeSafetensors(w, { format: 'pt' })],
    ...(tokenizer ? tokenizerFiles(tokenizer) : []),
  ]);
}
