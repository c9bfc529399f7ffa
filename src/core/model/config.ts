/**
 * The Llama model configuration: one typed object, validated where it enters (files, UI, CLI).
 * Every key is required and unknown keys are rejected, so a typo never silently falls back
 * to a default.
 */
import { ConfigError } from '../errors.ts';
import { checkModelBounds, guardModel } from './budget.ts';

export interface LlamaConfig {
  vocabSize: number;
  dim: number;
  nLayers: number;
  nHeads: number;
  nKvHeads: number;
  ffnDim: number;
  ropeTheta: number;
  normEps: number;
  maxSeqLen: number;
  tieEmbeddings: boolean;
}

const INT_KEYS = ['vocabSize', 'dim', 'nLayers', 'nHeads', 'nKvHeads', 'ffnDim', 'maxSeqLen'] as const;
const KEYS: readonly (keyof LlamaConfig)[] = [...INT_KEYS, 'ropeTheta', 'normEps', 'tieEmbeddings'];

/** Throws ConfigError naming the key, what was expected and what was found. */
export function validateConfig(raw: unknown): LlamaConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(`model config: expected an object, found ${raw === null ? 'null' : Array.isArray(raw) ? 'an array' : typeof raw}`);
  }
  const o = raw as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => !(KEYS as readonly string[]).includes(k));
  if (unknown.length) throw new ConfigError(`model config: unknown key(s) ${unknown.join(', ')}; expected only ${KEYS.join(', ')}`);
  const missing = KEYS.filter((k) => !(k in o));
  if (missing.length) throw new ConfigError(`model config: missing key(s) ${missing.join(', ')}`);
  for (const k of INT_KEYS) {
    const v = o[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new ConfigError(`model config: ${k} must be a positive integer, found ${JSON.stringify(v)}`);
  }
  // Resource guard (budget.ts): size bounds before any arithmetic on them.
  checkModelBounds(o, 'model config');
  for (const k of ['ropeTheta', 'normEps'] as const) {
    const v = o[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new ConfigError(`model config: ${k} must be a positive finite number, found ${JSON.stringify(v)}`);
  }
  if (typeof o.tieEmbeddings !== 'boolean') throw new ConfigError(`model config: tieEmbeddings must be a boolean, found ${JSON.stringify(o.tieEmbeddings)}`);
  const c = o as unknown as LlamaConfig;
  if ((c.normEps as number) >= 1) throw new ConfigError(`model config: normEps must be < 1, found ${c.normEps}`);
  if (c.dim % c.nHeads !== 0) throw new ConfigError(`model config: dim (${c.dim}) must be divisible by nHeads (${c.nHeads})`);
  if (c.nKvHeads > c.nHeads || c.nHeads % c.nKvHeads !== 0) {
    throw new ConfigError(`model config: nHeads (${c.nHeads}) must be a multiple of nKvHeads (${c.nKvHeads}) and nKvHeads ≤ nHeads`);
  }
  if ((c.dim / c.nHeads) % 2 !== 0) throw new ConfigError(`model config: the head size dim/nHeads = ${c.dim / c.nHeads} must be even (RoPE rotates pairs)`);
  if (c.vocabSize > 1 << 24) throw new ConfigError(`model config: vocabSize ${c.vocabSize} is larger than 2^24 (ids would not survive float32)`);
  guardModel(c, 'model config');
  return {
    vocabSize: c.vocabSize, dim: c.dim, nLayers: c.nLayers, nHeads: c.nHeads, nKvHeads: c.nKvHeads, ffnDim: c.ffnDim,
    ropeTheta: c.ropeTheta, normEps: c.normEps, maxSeqLen: c.maxSeqLen, tieEmbeddings: c.tieEmbeddings,
  };
}

export function headDim(c: LlamaConfig): number {
  return c.dim / c.nHeads;
}

/**
 * Presets. vocabSize is a default only: the trainer overrides it with the tokenizer's size.
 * tiny = the shape of test/fixtures/tiny-llama; smoke = fast training in tests and the CLI;
 * mini = a few minutes of training on wasm; small ≈ 12.6M parameters for a laptop GPU.
 */
export const MODEL_PRESETS: Record<string, LlamaConfig> = {
  tiny: { vocabSize: 96, dim: 32, nLayers: 2, nHeads: 4, nKvHeads: 2, ffnDim: 64, ropeTheta: 10000, normEps: 1e-5, maxSeqLen: 128, tieEmbeddings: false },
  smoke: { vocabSize: 512, dim: 64, nLayers: 2, nHeads: 4, nKvHeads: 2, ffnDim: 172, ropeTheta: 10000, normEps: 1e-5, maxSeqLen: 256, tieEmbeddings: true },
  mini: { vocabSize: 2048, dim: 128, nLayers: 4, nHeads: 4, nKvHeads: 2, ffnDim: 344, ropeTheta: 10000, normEps: 1e-5, maxSeqLen: 512, tieEmbeddings: true },
  small: { vocabSize: 8192, dim: 384, nLayers: 6, nHeads: 6, nKvHeads: 2, ffnDim: 1024, ropeTheta: 10000, normEps: 1e-5, maxSeqLen: 1024, tieEmbeddings: true },
};

/** Number of trainable parameters (embedding counted once when tied). */
export function countParams(c: LlamaConfig): number {
  const kvDim = c.nKvHeads * headDim(c);
  const attn = c.dim * c.dim * 2 + c.dim * kvDim * 2;
  const ffn = 3 * c.dim * c.ffnDim;
  const perLayer = attn + ffn + 2 * c.dim;
  return c.vocabSize * c.dim + c.nLayers * perLayer + c.dim + (c.tieEmbeddings ? 0 : c.vocabSize * c.dim);
}

function num(j: Record<string, unknown>, key: string, fallback?: number): number {
  const v = j[key] ?? fallback;
  if (typeof v !== 'number') throw new ConfigError(`config.json: "${key}" must be a number, found ${JSON.stringify(j[key])}`);
  return v;
}

/** config.json names of the size fields, so a refusal names the key the file has. */
const HF_NAMES = {
  vocabSize: 'vocab_size', dim: 'hidden_size', nLayers: 'num_hidden_layers', nHeads: 'num_attention_heads',
  nKvHeads: 'num_key_value_heads', ffnDim: 'intermediate_size', maxSeqLen: 'max_position_embeddings',
} as const;

/** Reads a Hugging Face LlamaConfig (config.json). Keys this model cannot honour are rejected by name. */
export function configFromHF(json: unknown): LlamaConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ConfigError('config.json: expected a JSON object');
  const j = json as Record<string, unknown>;
  if (j.model_type !== undefined && j.model_type !== 'llama') throw new ConfigError(`config.json: model_type must be "llama", found ${JSON.stringify(j.model_type)}`);
  if (j.hidden_act !== undefined && j.hidden_act !== 'silu') throw new ConfigError(`config.json: hidden_act must be "silu", found ${JSON.stringify(j.hidden_act)}`);
  if (j.rope_scaling !== undefined && j.rope_scaling !== null) throw new ConfigError('config.json: rope_scaling is not supported (expected null)');
  for (const k of ['attention_bias', 'mlp_bias']) {
    if (j[k] !== undefined && j[k] !== false) throw new ConfigError(`config.json: ${k} must be false, found ${JSON.stringify(j[k])}`);
  }
  const nHeads = num(j, 'num_attention_heads');
  const dim = num(j, 'hidden_size');
  if (j.head_dim !== undefined && j.head_dim !== dim / nHeads) {
    throw new ConfigError(`config.json: head_dim ${JSON.stringify(j.head_dim)} must equal hidden_size / num_attention_heads = ${dim / nHeads}`);
  }
  checkModelBounds(
    { vocabSize: j.vocab_size, dim, nLayers: j.num_hidden_layers, nHeads, nKvHeads: j.num_key_value_heads, ffnDim: j.intermediate_size, maxSeqLen: j.max_position_embeddings },
    'config.json', HF_NAMES,
  );
  const tie = j.tie_word_embeddings ?? false;
  if (typeof tie !== 'boolean') throw new ConfigError(`config.json: tie_word_embeddings must be a boolean, found ${JSON.stringify(tie)}`);
  return validateConfig({
    vocabSize: num(j, 'vocab_size'),
    dim,
    nLayers: num(j, 'num_hidden_layers'),
    nHeads,
    nKvHeads: num(j, 'num_key_value_heads', nHeads),
    ffnDim: num(j, 'intermediate_size'),
    ropeTheta: num(j, 'rope_theta', 10000),
    normEps: num(j, 'rms_norm_eps', 1e-6),
    maxSeqLen: num(j, 'max_position_embeddings', 2048),
    tieEmbeddings: tie,
  });
}

export function configToHF(c: LlamaConfig): object {
  return {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    vocab_size: c.vocabSize,
    hidden_size: c.dim,
    intermediate_size: c.ffnDim,
    num_hidden_layers: c.nLayers,
    num_attention_heads: c.nHeads,
    num_key_value_heads: c.nKvHeads,
    hidden_act: 'silu',
    rms_norm_eps: c.normEps,
    rope_theta: c.ropeTheta,
    max_position_embeddings: c.maxSeqLen,
    tie_word_embeddings: c.tieEmbeddings,
    torch_dtype: 'float32',
  };
}
