/**
 * Checkpoint (de)serialisation: everything needed to continue a run bit for bit.
 *   checkpoint.safetensors  model weights under their Hugging Face names (HF layout, so the file
 *                           loads elsewhere) + AdamW moments as `optimizer.m.<name>` / `optimizer.v.<name>`
 *   checkpoint.json         format tag, run config, model config, tokenizer, datasets (with sha-256),
 *                           step, RNG + data order state, optimizer scalars, metrics history.
 * Serialisation reads tensors with `await data()` (never dataSync: it breaks WebGPU) and returns
 * bytes, so the store can write them in one transaction with nothing left to compute.
 */
import * as tf from '@tensorflow/tfjs';
import type { CheckpointFiles } from '../../api/store.ts';
import type { TrainProgress } from '../../api/trainer.ts';
import { CheckpointError } from '../../core/errors.ts';
import { firstNonFinite } from '../../core/model/budget.ts';
import { configToHF, type LlamaConfig } from '../../core/model/config.ts';
import {
  parseSafetensors,
  writeSafetensors,
  type SafeTensor,
  type WritableTensor,
} from '../../core/model/safetensors.ts';

export const CHECKPOINT_FORMAT = 'reflectioncoder-web/checkpoint';
export const CHECKPOINT_VERSION = 1;
const M_PREFIX = 'optimizer.m.';
const V_PREFIX = 'optimizer.v.';

export interface DatasetRef {
  id: string;
  name: string;
  sha256: string;
}

/** The JSON half. `run`, `data` and `optimizer` are owned by the training run (plain JSON). */
export interface CheckpointJson {
  format: typeof CHECKPOINT_FORMAT;
  version: number;
  savedAt: string;
  name: string;
  runConfig: unknown;
  modelConfig: LlamaConfig;
  tokenizer: unknown;
  datasets: DatasetRef[];
  step: number;
  totalSteps: number;
  /** Sampler position + RNG state (opaque to this module). */
  data: unknown;
  /** Optimizer scalars such as its step count (the moments are tensors in the safetensors file). */
  optimizer: unknown;
  metrics: TrainProgress[];
  elapsedSec: number;
}

async function toWritable(t: tf.Tensor): Promise<WritableTensor> {
  const data = await t.data();
  if (!(data instanceof Float32Array) && !(data instanceof Int32Array))
    throw new CheckpointError(`cannot store a ${t.dtype} tensor in a checkpoint`);
  return { shape: t.shape.slice(), data };
}

/**
 * weights: HF name → HF-layout tensor; moments: HF name → { m, v } in HF layout. The caller owns
 * (and disposes) the tensors.
 */
export async function serializeCheckpoint(
  json: CheckpointJson,
  weights: Map<string, tf.Tensor>,
  moments: Map<string, { m: tf.Tensor; v: tf.Tensor }>,
): Promise<CheckpointFiles> {
  const tensors = new Map<string, WritableTensor>();
  for (const [name, t] of weights) tensors.set(name, await toWritable(t));
  for (const [name, { m, v }] of moments) {
    tensors.set(M_PREFIX + name, await toWritable(m));
    tensors.set(V_PREFIX + name, await toWritable(v));
  }
  const safetensors = writeSafetensors(tensors, { format: 'pt', producer: CHECKPOINT_FORMAT, step: String(json.step) });
  return { safetensors, json: JSON.stringify(json) };
}

export interface ParsedCheckpoint {
  json: CheckpointJson;
  weights: Map<string, SafeTensor>;
  moments: Map<string, { m: SafeTensor; v: SafeTensor }>;
}

export function parseCheckpointJson(text: string): CheckpointJson {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new CheckpointError(`checkpoint.json is not valid JSON: ${(e as Error).message}`);
  }
  const j = raw as Partial<CheckpointJson> | null;
  if (!j || typeof j !== 'object' || j.format !== CHECKPOINT_FORMAT) {
    throw new CheckpointError(
      `checkpoint.json: expected "format": "${CHECKPOINT_FORMAT}", found ${JSON.stringify(j?.format)} — is this a checkpoint exported by this app?`,
    );
  }
  if (j.version !== CHECKPOINT_VERSION)
    throw new CheckpointError(
      `checkpoint.json: version ${j.version} is not supported (expected ${CHECKPOINT_VERSION})`,
    );
  for (const k of ['step', 'totalSteps', 'elapsedSec'] as const) {
    if (typeof j[k] !== 'number' || !Number.isFinite(j[k]))
      throw new CheckpointError(`checkpoint.json: "${k}" must be a number, found ${JSON.stringify(j[k])}`);
  }
  for (const k of ['modelConfig', 'tokenizer', 'runConfig', 'data', 'optimizer'] as const) {
    if (j[k] === undefined || j[k] === null) throw new CheckpointError(`checkpoint.json: missing "${k}"`);
  }
  if (!Array.isArray(j.metrics) || !Array.isArray(j.datasets))
    throw new CheckpointError('checkpoint.json: "metrics" and "datasets" must be arrays');
  if (typeof j.name !== 'string' || typeof j.savedAt !== 'string')
    throw new CheckpointError('checkpoint.json: "name" and "savedAt" must be strings');
  return j as CheckpointJson;
}

export function parseCheckpoint(files: CheckpointFiles): ParsedCheckpoint {
  const json = parseCheckpointJson(files.json);
  const all = parseSafetensors(files.safetensors);
  const weights = new Map<string, SafeTensor>();
  const m = new Map<string, SafeTensor>();
  const v = new Map<string, SafeTensor>();
  for (const [name, t] of all) {
    const bad = firstNonFinite(t.data);
    if (bad >= 0)
      throw new CheckpointError(
        `checkpoint.safetensors: tensor ${name} holds a non-finite value (${t.data[bad]}) at index ${bad}; the checkpoint is corrupt or the run diverged`,
      );
    if (name.startsWith(M_PREFIX)) m.set(name.slice(M_PREFIX.length), t);
    else if (name.startsWith(V_PREFIX)) v.set(name.slice(V_PREFIX.length), t);
    else weights.set(name, t);
  }
  const moments = new Map<string, { m: SafeTensor; v: SafeTensor }>();
  for (const [name, mt] of m) {
    const vt = v.get(name);
    if (!vt) throw new CheckpointError(`checkpoint.safetensors: ${M_PREFIX}${name} has no matching ${V_PREFIX}${name}`);
    if (!weights.has(name))
      throw new CheckpointError(
        `checkpoint.safetensors: optimizer moments for ${name}, which is not a weight in the file`,
      );
    moments.set(name, { m: mt, v: vt });
  }
  if (v.size !== m.size)
    throw new CheckpointError(`checkpoint.safetensors: ${m.size} first moments but ${v.size} second moments`);
  const step = Number(json.step);
  if (step > 0 && moments.size === 0)
    throw new CheckpointError(
      'checkpoint.safetensors: the run has taken steps but the file holds no optimizer moments',
    );
  return { json, weights, moments };
}

/** Host tensor → tf tensor (float32 or int32 as stored). */
export function toTensor(t: SafeTensor): tf.Tensor {
  return tf.tensor(t.data, t.shape, t.data instanceof Int32Array ? 'int32' : 'float32');
}

/**
 * The model alone, as a Hugging Face-style folder's files (config.json, model.safetensors with the
 * weights only, tokenizer.json): what `npm run cli -- generate --model <dir>` and other tools load.
 */
export function checkpointToModelFiles(files: CheckpointFiles): {
  configJson: string;
  safetensors: Uint8Array;
  tokenizerJson: string;
} {
  const { json, weights } = parseCheckpoint(files);
  const out = new Map<string, WritableTensor>();
  for (const [name, t] of weights) out.set(name, { shape: t.shape, data: t.data });
  return {
    configJson: JSON.stringify(configToHF(json.modelConfig), null, 2),
    safetensors: writeSafetensors(out, { format: 'pt', producer: CHECKPOINT_FORMAT, step: String(json.step) }),
    tokenizerJson: JSON.stringify(json.tokenizer),
  };
}
