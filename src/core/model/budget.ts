// Over 300 lines: the one resource guard by design: bounds, the memory estimate and the check stay in one place.
/**
 * The one resource guard: sane bounds on every model/train size field, an estimate of the memory
 * a model needs (weights, gradients, AdamW moments, activations, KV cache, RoPE tables) and a
 * check of that estimate against what the device and backend can hold. Everything here is pure
 * arithmetic on the config, so a config from any source (Hugging Face config.json, a run config,
 * a llama2.c header) is refused BEFORE a single tensor or typed array is allocated.
 *
 * The estimate is deliberately a little pessimistic (activations count what the backward pass
 * keeps alive); docs/reliability.md explains each term.
 */
import { CheckpointError, ConfigError } from '../errors.ts';
import type { LlamaConfig } from './config.ts';

/** The size fields the estimate needs (a LlamaConfig, or a raw config before validation). */
export type ModelShape = Pick<
  LlamaConfig,
  'vocabSize' | 'dim' | 'nLayers' | 'nHeads' | 'nKvHeads' | 'ffnDim' | 'maxSeqLen' | 'tieEmbeddings'
>;

/**
 * Hard bounds, far above any model this app can run (Llama-3-405B: dim 16384, 126 layers,
 * ffn 53248, 131072 positions; Qwen2 vocab 152064) and far below what would exhaust memory
 * while merely computing sizes.
 */
export const MODEL_BOUNDS: Record<keyof Omit<ModelShape, 'tieEmbeddings'>, number> = {
  vocabSize: 1 << 24,
  dim: 65536,
  nLayers: 1024,
  nHeads: 1024,
  nKvHeads: 1024,
  ffnDim: 1 << 20,
  maxSeqLen: 1 << 20,
};

/** Training-side bounds (batch rows and sequence lengths) shared by run configs and the CLI. */
export const TRAIN_BOUNDS = { batchSize: 4096, gradAccumSteps: 4096, maxLen: 1 << 20 } as const;

/**
 * Throws ConfigError if a size field is not a positive integer within MODEL_BOUNDS. `names` maps
 * a field to the name the user wrote (e.g. maxSeqLen → "max_position_embeddings" in config.json).
 */
export function checkModelBounds(
  shape: Partial<Record<keyof ModelShape, unknown>>,
  source: string,
  names: Partial<Record<keyof ModelShape, string>> = {},
): void {
  for (const [k, max] of Object.entries(MODEL_BOUNDS) as [keyof typeof MODEL_BOUNDS, number][]) {
    const v = shape[k];
    if (v === undefined) continue;
    const field = names[k] ?? k;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1)
      throw new ConfigError(`${source}: ${field} must be a positive integer, found ${JSON.stringify(v)}`);
    if (v > max)
      throw new ConfigError(
        `${source}: ${field} = ${v} is beyond the supported bound ${max}; this is not a model this app can hold`,
      );
  }
}

export type MemoryMode = 'full' | 'lora' | 'inference';
export interface MemoryOptions {
  /** Rows per forward pass (a reflection record trains a teacher AND a student row: 2 per record). */
  batch: number;
  /** Tokens per row. */
  seqLen: number;
  mode: MemoryMode;
  /** LoRA adapters (mode 'lora'): rank and the projection names they wrap (q_proj, k_proj, ...). */
  lora?: { rank: number; targets: string[] };
}
export interface MemoryEstimate {
  weights: number;
  grads: number;
  moments: number;
  activations: number;
  kvCache: number;
  rope: number;
  total: number;
  /** The largest single buffer (bytes): what must fit a WebGPU maxBufferSize / one typed array. */
  largestBuffer: number;
}

const F32 = 4;

/** Parameter count (embedding counted once when tied), as a float: never overflows. */
export function paramCount(c: ModelShape): number {
  const hd = c.dim / c.nHeads;
  const kvDim = c.nKvHeads * hd;
  const perLayer = 2 * c.dim * c.dim + 2 * c.dim * kvDim + 3 * c.dim * c.ffnDim + 2 * c.dim;
  return c.vocabSize * c.dim * (c.tieEmbeddings ? 1 : 2) + c.nLayers * perLayer + c.dim;
}

/** In/out sizes of the projections a LoRA target can name (Hugging Face names). */
function projectionSizes(c: ModelShape): Record<string, [number, number]> {
  const kvDim = c.nKvHeads * (c.dim / c.nHeads);
  return {
    q_proj: [c.dim, c.dim],
    k_proj: [c.dim, kvDim],
    v_proj: [c.dim, kvDim],
    o_proj: [c.dim, c.dim],
    gate_proj: [c.dim, c.ffnDim],
    up_proj: [c.dim, c.ffnDim],
    down_proj: [c.ffnDim, c.dim],
  };
}

/** Trainable LoRA parameters: rank·(in + out) per target per layer. */
export function loraParamCount(c: ModelShape, lora: { rank: number; targets: string[] }): number {
  const sizes = projectionSizes(c);
  let per = 0;
  for (const t of lora.targets) {
    const s = sizes[t];
    if (!s) throw new ConfigError(`lora.targets: unknown projection "${t}"; expected ${Object.keys(sizes).join(', ')}`);
    per += lora.rank * (s[0] + s[1]);
  }
  return c.nLayers * per;
}

/**
 * Bytes a model needs in float32. Training (full/lora) keeps per-layer activations for the
 * backward pass: the residual stream, norms, q/k/v/o, attention scores and probabilities
 * (B·H·T² each), and the SwiGLU intermediates (4 × ffn). Inference keeps one layer's worth plus
 * the KV cache. Logits ([rows·T, V]) and their softmax/gradient count three times in training.
 */
export function estimateMemory(c: ModelShape, o: MemoryOptions): MemoryEstimate {
  const hd = c.dim / c.nHeads;
  const kvDim = c.nKvHeads * hd;
  const params = paramCount(c);
  const weights = params * F32;
  const trainable =
    o.mode === 'full'
      ? params
      : o.mode === 'lora'
        ? loraParamCount(c, o.lora ?? { rank: 8, targets: ['q_proj', 'v_proj'] })
        : 0;
  const grads = trainable * F32;
  const moments = 2 * trainable * F32;
  const tokens = o.batch * o.seqLen;
  const scores = o.batch * c.nHeads * o.seqLen * o.seqLen;
  const layerActs = tokens * (4 * c.dim + 2 * kvDim + 4 * c.ffnDim) + 2 * scores;
  const logits = tokens * c.vocabSize;
  const activations =
    o.mode === 'inference'
      ? (tokens * (3 * c.dim + 2 * c.ffnDim) + scores + logits) * F32
      : (c.nLayers * layerActs + 3 * logits) * F32;
  const kvCache = o.mode === 'inference' ? 2 * c.nLayers * o.batch * o.seqLen * kvDim * F32 : 0;
  // cos + sin tables [maxSeqLen, hd] on the device, built from a host copy of the same size.
  const rope = 2 * 2 * c.maxSeqLen * hd * F32;
  const total = weights + grads + moments + activations + kvCache + rope;
  const largestBuffer =
    Math.max(c.vocabSize * c.dim, c.dim * c.ffnDim, c.dim * c.dim, logits, scores, c.maxSeqLen * hd * 2) * F32;
  return { weights, grads, moments, activations, kvCache, rope, total, largestBuffer };
}

export interface Limits {
  /** Bytes the whole model may use. */
  totalBytes: number;
  /** Bytes one buffer (tensor / typed array) may have. */
  maxBufferBytes: number;
  /** Where the limits come from, for the error message. */
  source: string;
  /** What else the user can change on this backend (appended to a refusal). */
  hint?: string;
  /**
   * tfjs-wasm: its heap, which must hold the tensors AND XNNPACK's packed copy of the matmul weights (one for
   * the forward pass; training adds the backward pass's transposed copies: counted as a second).
   */
  wasmHeapBytes?: number;
}

export interface BackendEnv {
  backend?: string;
  /** WebGPU adapter/device limits, when known. */
  gpu?: { maxBufferSize?: number; maxStorageBufferBindingSize?: number };
  /** navigator.deviceMemory (GiB, rounded down by the browser). */
  deviceMemoryGiB?: number;
  /** Node: physical memory (bytes). Tensors and typed arrays live outside the V8 heap, so its limit does not bound them. */
  nodeTotalMem?: number;
}

const GIB = 2 ** 30;
/** wasm32 linear memory: 4 GiB at most (tfjs-backend-wasm 4.22 declares 65536 pages; getHeapMax() = 4 GiB − 64 KiB). */
export const WASM_MAX_BYTES = 4 * GIB;
/**
 * What tfjs-wasm's TENSORS may total: half of that heap. Measured here (Node, 4.22, SIMD, 1 and 2 threads): plain
 * tensors fill the heap to 3.85 GiB, but a model's heap is its tensors PLUS XNNPACK's packed copy of every matmul
 * weight (and the backward pass's transposed ones) plus freed-but-fragmented blocks (malloc never shrinks): a
 * Qwen2.5-0.5B-shaped model (1.84 GiB of tensors) reached a 3.95 GiB heap on one 16-token forward, and full
 * fine-tuning of SmolLM2-135M's shape aborted ("Aborted()", the heap at 4095 MiB) with 2.08 GiB of tensors.
 */
export const WASM_TENSOR_BYTES = 2 * GIB;
/** One typed array in V8 (and Node's Buffer kMaxLength here): 2^32 bytes is a safe bound. */
export const TYPED_ARRAY_MAX_BYTES = 4 * GIB;

let envCache: BackendEnv | null = null;
function cachedEnv(): BackendEnv {
  envCache ??= detectEnv();
  return envCache;
}

/**
 * Tells the guard which backend this thread computes on (and its WebGPU device limits), once it is
 * chosen: every later check uses them (wasm's 4 GiB, the GPU's largest buffer).
 */
export function setActiveBackend(backend: string, gpu?: BackendEnv['gpu']): Limits {
  envCache = { ...detectEnv(backend), gpu };
  return backendLimits(envCache);
}

/** Limits for a backend on this device; the smallest applicable bound wins. */
export function backendLimits(env: BackendEnv = cachedEnv()): Limits {
  const sources: string[] = [];
  let total = Infinity;
  let buffer = TYPED_ARRAY_MAX_BYTES;
  const take = (bytes: number | undefined, why: string) => {
    if (bytes !== undefined && Number.isFinite(bytes) && bytes > 0 && bytes < total) {
      total = bytes;
      sources.push(why);
    }
  };
  if (env.backend === 'wasm') take(WASM_TENSOR_BYTES, 'tfjs-wasm: half of its 4 GiB heap');
  if (env.deviceMemoryGiB)
    take(env.deviceMemoryGiB * GIB * 0.5, `half of navigator.deviceMemory ${env.deviceMemoryGiB} GiB`);
  if (env.nodeTotalMem)
    take(env.nodeTotalMem * 0.75, `75% of physical memory ${(env.nodeTotalMem / GIB).toFixed(1)} GiB`);
  if (env.backend === 'webgpu' && env.gpu) {
    const g = Math.min(env.gpu.maxBufferSize ?? Infinity, env.gpu.maxStorageBufferBindingSize ?? Infinity);
    if (Number.isFinite(g)) {
      buffer = Math.min(buffer, g);
      sources.push(`WebGPU max buffer ${(g / 2 ** 20).toFixed(0)} MiB`);
    }
  }
  if (!Number.isFinite(total)) take(WASM_MAX_BYTES, 'default 4 GiB (device memory unknown)');
  const wasm = env.backend === 'wasm';
  const hint = wasm
    ? 'or switch to the webgpu backend on a device with a GPU (Settings → backend; CLI --backend webgpu)'
    : undefined;
  return {
    totalBytes: total,
    maxBufferBytes: buffer,
    source: sources.join(', '),
    ...(hint ? { hint } : {}),
    ...(wasm ? { wasmHeapBytes: WASM_MAX_BYTES } : {}),
  };
}

/** What this environment tells about itself (no allocation, no async). */
export function detectEnv(backend?: string): BackendEnv {
  const env: BackendEnv = { backend };
  const nav = (globalThis as { navigator?: { deviceMemory?: number } }).navigator;
  if (typeof nav?.deviceMemory === 'number') env.deviceMemoryGiB = nav.deviceMemory;
  const proc = (globalThis as { process?: { getBuiltinModule?: (m: string) => unknown; versions?: { node?: string } } })
    .process;
  if (proc?.versions?.node && typeof proc.getBuiltinModule === 'function') {
    const os = proc.getBuiltinModule('os') as { totalmem?: () => number } | undefined;
    env.nodeTotalMem = os?.totalmem?.();
  }
  return env;
}

function fmt(bytes: number): string {
  if (bytes >= GIB) return `${(bytes / GIB).toFixed(bytes >= 100 * GIB ? 0 : 1)} GiB`;
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

/** Throws ConfigError naming what was estimated, the largest term, the estimate and the limit. */
export function checkBudget(e: MemoryEstimate, limits: Limits, what: string): void {
  const terms = (['weights', 'grads', 'moments', 'activations', 'kvCache', 'rope'] as const).filter((k) => e[k] > 0);
  const parts = terms.map((k) => `${k} ${fmt(e[k])}`).join(', ');
  if (!(e.total <= limits.totalBytes)) {
    const top = terms.reduce((a, b) => (e[b] > e[a] ? b : a), terms[0]!);
    throw new ConfigError(
      `${what} needs about ${fmt(e.total)} (${parts}; largest: ${top}), over the limit of ${fmt(limits.totalBytes)} (${limits.source}). ` +
        `Use a smaller model, batch (train.batchSize, --batch-size) or sequence length (train.maxLen, --max-len)${limits.hint ? `, ${limits.hint}` : ''}.`,
    );
  }
  const copies = e.grads > 0 ? 2 : 1;
  if (limits.wasmHeapBytes !== undefined && !(e.total + copies * e.weights <= limits.wasmHeapBytes)) {
    throw new ConfigError(
      `${what} needs about ${fmt(e.total + copies * e.weights)} of tfjs-wasm heap (tensors ${fmt(e.total)} + ${copies} packed ` +
        `cop${copies > 1 ? 'ies' : 'y'} of the weights ${fmt(copies * e.weights)}), over its ${fmt(limits.wasmHeapBytes)}. ` +
        `Use a smaller model, batch (train.batchSize, --batch-size) or sequence length (train.maxLen, --max-len)${limits.hint ? `, ${limits.hint}` : ''}.`,
    );
  }
  if (!(e.largestBuffer <= limits.maxBufferBytes)) {
    throw new ConfigError(
      `${what} needs one buffer of ${fmt(e.largestBuffer)}, over the per-buffer limit of ${fmt(limits.maxBufferBytes)}${limits.source ? ` (${limits.source})` : ''}. ` +
        'Use a smaller vocabulary, dim, ffnDim or sequence length.',
    );
  }
}

/** Bounds + inference estimate against this environment's limits: what every model config must pass. */
export function guardModel(
  c: ModelShape,
  what: string,
  names?: Partial<Record<keyof ModelShape, string>>,
  limits: Limits = backendLimits(),
): MemoryEstimate {
  checkModelBounds(c, what, names);
  const e = estimateMemory(c, { batch: 1, seqLen: 1, mode: 'inference' });
  checkBudget(e, limits, `${what} (${shapeText(c)})`);
  return e;
}

/**
 * Bounds + the memory one full-length training row needs (batch 1 at maxLen: a step cannot need
 * less; the padded batch usually is shorter than maxLen, so the full-batch figure would refuse
 * runs that fit). Called by the run config before any tokenizer, model or optimizer exists.
 */
export function guardTraining(
  c: ModelShape,
  t: { batchSize: number; maxLen: number },
  what: string,
  mode: 'full' | 'lora' = 'full',
  limits: Limits = backendLimits(),
): MemoryEstimate {
  checkModelBounds(c, what);
  for (const k of ['batchSize', 'maxLen'] as const) {
    if (!(t[k] <= TRAIN_BOUNDS[k]))
      throw new ConfigError(`${what}: train.${k} = ${t[k]} is beyond the supported bound ${TRAIN_BOUNDS[k]}`);
  }
  const e = estimateMemory(c, { batch: 1, seqLen: Math.min(t.maxLen, c.maxSeqLen), mode });
  checkBudget(e, limits, `${what} (${shapeText(c)}, train.maxLen ${t.maxLen})`);
  return e;
}

/** Index of the first NaN/±Infinity in `data`, or -1 (imports refuse non-finite weights). */
export function firstNonFinite(data: ArrayLike<number>): number {
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return i;
  return -1;
}

/** Throws CheckpointError naming the first tensor that holds NaN/±Infinity (every import path calls this or firstNonFinite). */
export function refuseNonFinite(tensors: Map<string, { data: ArrayLike<number> }>, source: string): void {
  for (const [name, t] of tensors) {
    const bad = firstNonFinite(t.data);
    if (bad >= 0)
      throw new CheckpointError(
        `${source}: tensor ${name} holds a non-finite value (${t.data[bad]}) at index ${bad} (corrupt or diverged file?)`,
      );
  }
}

/** The size fields, for a refusal that says which config was too big. */
function shapeText(c: ModelShape): string {
  return `vocabSize ${c.vocabSize}, dim ${c.dim}, nLayers ${c.nLayers}, nHeads ${c.nHeads}/${c.nKvHeads}, ffnDim ${c.ffnDim}, maxSeqLen ${c.maxSeqLen}`;
}
