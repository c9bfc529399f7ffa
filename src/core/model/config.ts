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
  /** Hugging Face architecture (absent = llama); decides the exported config.json. */
  arch?: ModelArch;
  /** Linear biases in attention: q/k/v (Qwen2), or q/k/v/o (Llama `attention_bias: true`). Absent = none. */
  attentionBias?: 'qkv' | 'qkvo';
  /** Biases on gate/up/down (Llama `mlp_bias: true`). Absent = none. */
  mlpBias?: boolean;
  /** RoPE frequency scaling (absent = none). */
  ropeScaling?: RopeScaling;
}

export type ModelArch = 'llama' | 'qwen2';
export type RopeScaling =
  | { type: 'linear'; factor: number }
  | {
      type: 'llama3';
      factor: number;
      lowFreqFactor: number;
      highFreqFactor: number;
      originalMaxPositionEmbeddings: number;
    };

/** Optional keys (checkpoints written before they existed stay valid). */
const OPTIONAL_KEYS = ['arch', 'attentionBias', 'mlpBias', 'ropeScaling'] as const;

const INT_KEYS = ['vocabSize', 'dim', 'nLayers', 'nHeads', 'nKvHeads', 'ffnDim', 'maxSeqLen'] as const;
const KEYS: readonly (keyof LlamaConfig)[] = [...INT_KEYS, 'ropeTheta', 'normEps', 'tieEmbeddings'];

/** Throws ConfigError naming the key, what was expected and what was found. */
export function validateConfig(raw: unknown): LlamaConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(
      `model config: expected an object, found ${raw === null ? 'null' : Array.isArray(raw) ? 'an array' : typeof raw}`,
    );
  }
  const o = raw as Record<string, unknown>;
  const unknown = Object.keys(o).filter(
    (k) => !(KEYS as readonly string[]).includes(k) && !(OPTIONAL_KEYS as readonly string[]).includes(k),
  );
  if (unknown.length)
    throw new ConfigError(
      `model config: unknown key(s) ${unknown.join(', ')}; expected only ${[...KEYS, ...OPTIONAL_KEYS].join(', ')}`,
    );
  const missing = KEYS.filter((k) => !(k in o));
  if (missing.length) throw new ConfigError(`model config: missing key(s) ${missing.join(', ')}`);
  for (const k of INT_KEYS) {
    const v = o[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1)
      throw new ConfigError(`model config: ${k} must be a positive integer, found ${JSON.stringify(v)}`);
  }
  // Resource guard (budget.ts): size bounds before any arithmetic on them.
  checkModelBounds(o, 'model config');
  for (const k of ['ropeTheta', 'normEps'] as const) {
    const v = o[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
      throw new ConfigError(`model config: ${k} must be a positive finite number, found ${JSON.stringify(v)}`);
  }
  if (typeof o.tieEmbeddings !== 'boolean')
    throw new ConfigError(`model config: tieEmbeddings must be a boolean, found ${JSON.stringify(o.tieEmbeddings)}`);
  const c = o as unknown as LlamaConfig;
  if ((c.normEps as number) >= 1) throw new ConfigError(`model config: normEps must be < 1, found ${c.normEps}`);
  if (c.dim % c.nHeads !== 0)
    throw new ConfigError(`model config: dim (${c.dim}) must be divisible by nHeads (${c.nHeads})`);
  if (c.nKvHeads > c.nHeads || c.nHeads % c.nKvHeads !== 0) {
    throw new ConfigError(
      `model config: nHeads (${c.nHeads}) must be a multiple of nKvHeads (${c.nKvHeads}) and nKvHeads ≤ nHeads`,
    );
  }
  if ((c.dim / c.nHeads) % 2 !== 0)
    throw new ConfigError(
      `model config: the head size dim/nHeads = ${c.dim / c.nHeads} must be even (RoPE rotates pairs)`,
    );
  if (c.vocabSize > 1 << 24)
    throw new ConfigError(`model config: vocabSize ${c.vocabSize} is larger than 2^24 (ids would not survive float32)`);
  guardModel(c, 'model config');
  const out: LlamaConfig = {
    vocabSize: c.vocabSize,
    dim: c.dim,
    nLayers: c.nLayers,
    nHeads: c.nHeads,
    nKvHeads: c.nKvHeads,
    ffnDim: c.ffnDim,
    ropeTheta: c.ropeTheta,
    normEps: c.normEps,
    maxSeqLen: c.maxSeqLen,
    tieEmbeddings: c.tieEmbeddings,
  };
  return withOptionalKeys(out, o);
}

function withOptionalKeys(out: LlamaConfig, o: Record<string, unknown>): LlamaConfig {
  if (o.arch !== undefined) {
    if (o.arch !== 'llama' && o.arch !== 'qwen2')
      throw new ConfigError(`model config: arch must be "llama" or "qwen2", found ${JSON.stringify(o.arch)}`);
    out.arch = o.arch;
  }
  if (o.attentionBias !== undefined) {
    if (o.attentionBias !== 'qkv' && o.attentionBias !== 'qkvo')
      throw new ConfigError(
        `model config: attentionBias must be "qkv" or "qkvo", found ${JSON.stringify(o.attentionBias)}`,
      );
    out.attentionBias = o.attentionBias;
  }
  if (o.mlpBias !== undefined) {
    if (typeof o.mlpBias !== 'boolean')
      throw new ConfigError(`model config: mlpBias must be a boolean, found ${JSON.stringify(o.mlpBias)}`);
    if (o.mlpBias) out.mlpBias = true;
  }
  if (o.ropeScaling !== undefined) out.ropeScaling = validateRopeScaling(o.ropeScaling);
  return out;
}

function validateRopeScaling(raw: unknown): RopeScaling {
  const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const pos = (k: string) => {
    const v = r[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
      throw new ConfigError(`model config: ropeScaling.${k} must be a positive number, found ${JSON.stringify(v)}`);
    return v;
  };
  if (r.type === 'linear') return { type: 'linear', factor: pos('factor') };
  if (r.type === 'llama3') {
    const s = {
      type: 'llama3' as const,
      factor: pos('factor'),
      lowFreqFactor: pos('lowFreqFactor'),
      highFreqFactor: pos('highFreqFactor'),
      originalMaxPositionEmbeddings: pos('originalMaxPositionEmbeddings'),
    };
    if (s.highFreqFactor <= s.lowFreqFactor)
      throw new ConfigError(
        `model config: ropeScaling.highFreqFactor (${s.highFreqFactor}) must exceed lowFreqFactor (${s.lowFreqFactor})`,
      );
    return s;
  }
  throw new ConfigError(`model config: ropeScaling.type must be "linear" or "llama3", found ${JSON.stringify(r.type)}`);
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
  tiny: {
    vocabSize: 96,
    dim: 32,
    nLayers: 2,
    nHeads: 4,
    nKvHeads: 2,
    ffnDim: 64,
    ropeTheta: 10000,
    normEps: 1e-5,
    maxSeqLen: 128,
    tieEmbeddings: false,
  },
  smoke: {
    vocabSize: 512,
    dim: 64,
    nLayers: 2,
    nHeads: 4,
    nKvHeads: 2,
    ffnDim: 172,
    ropeTheta: 10000,
    normEps: 1e-5,
    maxSeqLen: 256,
    tieEmbeddings: true,
  },
  mini: {
    vocabSize: 2048,
    dim: 128,
    nLayers: 4,
    nHeads: 4,
    nKvHeads: 2,
    ffnDim: 344,
    ropeTheta: 10000,
    normEps: 1e-5,
    maxSeqLen: 512,
    tieEmbeddings: true,
  },
  small: {
    vocabSize: 8192,
    dim: 384,
    nLayers: 6,
    nHeads: 6,
    nKvHeads: 2,
    ffnDim: 1024,
    ropeTheta: 10000,
    normEps: 1e-5,
    maxSeqLen: 1024,
    tieEmbeddings: true,
  },
};

/** Number of trainable parameters (embedding counted once when tied). */
export function countParams(c: LlamaConfig): number {
  const kvDim = c.nKvHeads * headDim(c);
  const attn = c.dim * c.dim * 2 + c.dim * kvDim * 2;
  const ffn = 3 * c.dim * c.ffnDim;
  const attnBias = c.attentionBias ? c.dim + 2 * kvDim + (c.attentionBias === 'qkvo' ? c.dim : 0) : 0;
  const mlpBias = c.mlpBias ? 2 * c.ffnDim + c.dim : 0;
  const perLayer = attn + ffn + 2 * c.dim + attnBias + mlpBias;
  return c.vocabSize * c.dim + c.nLayers * perLayer + c.dim + (c.tieEmbeddings ? 0 : c.vocabSize * c.dim);
}

// Hugging Face config.json in and out lives in hf-config.ts.
export { configFromHF, configToHF } from './hf-config.ts';
