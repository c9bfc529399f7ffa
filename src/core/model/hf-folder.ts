/**
 * Opening a Hugging Face model folder (config.json, model.safetensors or shards + index,
 * tokenizer files) from any byte source: the CLI reads a directory, the browser File objects.
 *
 * Two phases. inspectHFFolder reads only config.json, the index and each shard's header, and
 * checks everything it can (architecture, missing shard, index naming a tensor a shard lacks,
 * names, shapes, dtypes) before a single tensor exists. loadHFFolder then reads one tensor at a
 * time (range reads), decodes bf16/f16/f32 to float32, refuses NaN/Inf, and creates its variable,
 * so peak memory stays near the model's float32 size plus one tensor. On any error every variable
 * created so far is disposed: nothing is left allocated half-way.
 */
import * as tf from '@tensorflow/tfjs';
import { CheckpointError, ConfigError } from '../errors.ts';
import { checkBudget, estimateMemory, type Limits } from './budget.ts';
import type { LlamaConfig } from './config.ts';
import { configFromHF, type HFConfigOptions } from './hf-config.ts';
import { hfParamShapes, isTransposed, LM_HEAD, LlamaModel } from './llama.ts';
import {
  decodeSafetensorsEntry,
  parseSafetensorsHeader,
  safetensorsHeaderLength,
  type SafetensorsEntry,
} from './safetensors.ts';

/** Files of one folder, by name relative to the folder; read(name, begin, end) reads a byte range. */
export interface ModelSource {
  readonly label: string;
  files(): string[];
  size(name: string): number;
  read(name: string, begin?: number, end?: number): Promise<Uint8Array>;
  /** Optional streaming sha-256 (hex); without it the file is read whole and hashed with WebCrypto. */
  sha256?(name: string): Promise<string>;
}

export interface LoadProgress {
  file: string;
  tensor: string;
  loadedBytes: number;
  totalBytes: number;
}

export interface HFFolderPlan {
  config: LlamaConfig;
  /** config.json as read (kept so a merged export writes the same keys back). */
  hfConfig: Record<string, unknown>;
  /** Where every expected parameter lives, in file order (shard by shard). */
  tensors: { file: string; entry: SafetensorsEntry }[];
  totalBytes: number;
  /** The tokenizer-related files present (tokenizer.json, tokenizer_config.json, …). */
  tokenizerFiles: string[];
  generationConfig?: Record<string, unknown>;
}

export const INDEX_FILE = 'model.safetensors.index.json';
export const SINGLE_FILE = 'model.safetensors';
export const TOKENIZER_FILES = [
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'generation_config.json',
  'vocab.json',
  'merges.txt',
  'added_tokens.json',
];

async function readJson(src: ModelSource, name: string): Promise<Record<string, unknown>> {
  const text = new TextDecoder().decode(await src.read(name));
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${src.label}/${name} is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new ConfigError(`${src.label}/${name}: expected a JSON object`);
  return v as Record<string, unknown>;
}

/** Which file holds each tensor: from the index, or the single model.safetensors. */
async function weightMap(src: ModelSource, files: Set<string>): Promise<Map<string, string> | null> {
  if (files.has(INDEX_FILE)) {
    const index = await readJson(src, INDEX_FILE);
    const wm = index.weight_map;
    if (typeof wm !== 'object' || wm === null || Array.isArray(wm))
      throw new CheckpointError(`${src.label}/${INDEX_FILE}: "weight_map" must map tensor names to shard files`);
    const out = new Map<string, string>();
    for (const [name, file] of Object.entries(wm)) {
      if (typeof file !== 'string')
        throw new CheckpointError(
          `${INDEX_FILE}: tensor ${name} maps to ${JSON.stringify(file)}, expected a file name`,
        );
      out.set(name, file);
    }
    const missing = [...new Set(out.values())].filter((f) => !files.has(f));
    if (missing.length)
      throw new CheckpointError(`${src.label}: missing shard file(s) ${missing.join(', ')} named by ${INDEX_FILE}`);
    return out;
  }
  return null;
}

/** Reads and checks everything except the tensor data. Allocates no tensor. */
export async function inspectHFFolder(src: ModelSource, opts: HFConfigOptions = {}): Promise<HFFolderPlan> {
  const files = new Set(src.files());
  if (!files.has('config.json'))
    throw new ConfigError(
      `${src.label}: no config.json (a Hugging Face model folder needs config.json and safetensors weights)`,
    );
  const hfConfig = await readJson(src, 'config.json');
  const config = configFromHF(hfConfig, opts);
  const expected = hfParamShapes(config);
  let map = await weightMap(src, files);
  if (!map) {
    if (!files.has(SINGLE_FILE)) {
      const bin = [...files].some((f) => f.endsWith('.bin') || f.endsWith('.pt'));
      throw new CheckpointError(
        `${src.label}: no ${SINGLE_FILE} or ${INDEX_FILE}${bin ? ' (PyTorch .bin weights are not read: convert them to safetensors)' : ''}`,
      );
    }
    map = null;
  }
  const shardNames = map ? [...new Set(map.values())].sort() : [SINGLE_FILE];
  const headers = new Map<string, Map<string, SafetensorsEntry>>();
  for (const f of shardNames) {
    const size = src.size(f);
    const len = safetensorsHeaderLength(await src.read(f, 0, Math.min(8, size)), size);
    let entries: SafetensorsEntry[];
    try {
      entries = parseSafetensorsHeader(await src.read(f, 0, 8 + len), size);
    } catch (e) {
      throw new CheckpointError(`${src.label}/${f}: ${(e as Error).message}`);
    }
    headers.set(f, new Map(entries.map((e) => [e.name, e])));
  }
  if (map) {
    for (const [name, file] of map) {
      if (!headers.get(file)!.has(name))
        throw new CheckpointError(`${INDEX_FILE} names tensor ${name} in ${file}, but ${file} has no such tensor`);
    }
  }
  const fileOf = (name: string): string | undefined =>
    map ? map.get(name) : headers.get(SINGLE_FILE)!.has(name) ? SINGLE_FILE : undefined;
  const missing = [...expected.keys()].filter((n) => !fileOf(n));
  if (missing.length)
    throw new CheckpointError(
      `${src.label}: the weights lack ${missing.length} tensor(s) this config needs: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`,
    );
  const present = map ? [...map.keys()] : [...headers.get(SINGLE_FILE)!.keys()];
  const extra = present.filter(
    (n) => !expected.has(n) && !(config.tieEmbeddings && n === LM_HEAD) && !n.endsWith('rotary_emb.inv_freq'),
  );
  if (extra.length)
    throw new CheckpointError(
      `${src.label}: the weights have tensor(s) this config does not use: ${extra.slice(0, 5).join(', ')}${extra.length > 5 ? ', …' : ''} (wrong config.json?)`,
    );
  const tensors: HFFolderPlan['tensors'] = [];
  for (const [name, shape] of expected) {
    const file = fileOf(name)!;
    const entry = headers.get(file)!.get(name)!;
    if (entry.shape.length !== shape.length || entry.shape.some((d, i) => d !== shape[i])) {
      throw new CheckpointError(
        `${src.label}/${file}: tensor ${name} has shape [${entry.shape}], config.json implies [${shape}]`,
      );
    }
    if (!['F32', 'F16', 'BF16'].includes(entry.dtype))
      throw new CheckpointError(
        `${src.label}/${file}: tensor ${name} is ${entry.dtype}; weights must be F32, F16 or BF16`,
      );
    tensors.push({ file, entry });
  }
  tensors.sort((a, b) => (a.file === b.file ? a.entry.begin - b.entry.begin : a.file < b.file ? -1 : 1));
  const generationConfig = files.has('generation_config.json')
    ? await readJson(src, 'generation_config.json')
    : undefined;
  return {
    config,
    hfConfig,
    tensors,
    totalBytes: tensors.reduce((s, t) => s + t.entry.end - t.entry.begin, 0),
    tokenizerFiles: TOKENIZER_FILES.filter((f) => files.has(f)),
    generationConfig,
  };
}

/** Index of the first NaN/±Inf, or -1. */
function firstNonFinite(a: Float32Array): number {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return i;
  return -1;
}

/** Loads the weights the plan describes, one tensor at a time. */
export async function loadHFWeights(
  src: ModelSource,
  plan: HFFolderPlan,
  onProgress?: (p: LoadProgress) => void,
): Promise<LlamaModel> {
  const params = new Map<string, tf.Variable>();
  let loaded = 0;
  try {
    for (const { file, entry } of plan.tensors) {
      const data = decodeSafetensorsEntry(entry, await src.read(file, entry.begin, entry.end)) as Float32Array;
      const bad = firstNonFinite(data);
      if (bad >= 0)
        throw new CheckpointError(
          `${src.label}/${file}: tensor ${entry.name} holds ${data[bad]} at element ${bad}; weights must be finite`,
        );
      const stored = tf.tidy(() => {
        const t = tf.tensor(data, entry.shape, 'float32');
        return isTransposed(entry.name, plan.config) ? tf.transpose(t) : t;
      });
      params.set(entry.name, tf.variable(stored, true));
      stored.dispose();
      loaded += entry.end - entry.begin;
      onProgress?.({ file, tensor: entry.name, loadedBytes: loaded, totalBytes: plan.totalBytes });
    }
    return LlamaModel.fromVariables(plan.config, params);
  } catch (e) {
    for (const v of params.values()) v.dispose();
    throw e;
  }
}

export interface OpenedHFModel {
  model: LlamaModel;
  plan: HFFolderPlan;
}

/** inspectHFFolder + loadHFWeights. */
export async function loadHFFolder(
  src: ModelSource,
  opts: HFConfigOptions & { onProgress?: (p: LoadProgress) => void; limits?: Limits } = {},
): Promise<OpenedHFModel> {
  const plan = await inspectHFFolder(src, opts);
  // The backend's limits (e.g. tfjs-wasm's heap), checked before a weight is read: the model must at least fit.
  if (opts.limits)
    checkBudget(
      estimateMemory(plan.config, { batch: 1, seqLen: 1, mode: 'inference' }),
      opts.limits,
      `opening ${src.label}`,
    );
  return { model: await loadHFWeights(src, plan, opts.onProgress), plan };
}

/** A ModelSource over in-memory files (tests, files dropped on the page already read). */
export function memorySource(label: string, files: Map<string, Uint8Array>): ModelSource {
  return {
    label,
    files: () => [...files.keys()],
    size: (n) => files.get(n)?.length ?? 0,
    async read(n, begin = 0, end) {
      const f = files.get(n);
      if (!f) throw new CheckpointError(`${label}: no file ${n}`);
      return f.subarray(begin, end ?? f.length);
    },
  };
}
