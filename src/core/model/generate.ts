/**
 * Autoregressive generation: greedy, temperature and nucleus (top-p) sampling with the project's
 * seeded PRNG, stop tokens, a per-layer KV cache (each new token costs one position), a streaming
 * callback and AbortSignal.
 *
 * Decisions: the returned ids are the new tokens only, and a stop token is NOT included (nor passed
 * to onToken) — callers that need to know why generation ended use generateWithInfo. Generation
 * also ends when the context (maxSeqLen) is full. An aborted signal rejects with signal.reason.
 */
import * as tf from '@tensorflow/tfjs';
import { ShapeError, UsageError } from '../errors.ts';
import { Rng } from '../rng.ts';
import { KVCache, type LlamaModel } from './llama.ts';

export interface GenerateOptions {
  maxNewTokens: number;
  /** 0 or undefined = greedy. */
  temperature?: number;
  topP?: number;
  seed?: number;
  stopTokens?: number[];
  onToken?: (id: number, index: number) => void | Promise<void>;
  /** Default true. */
  useCache?: boolean;
  signal?: AbortSignal;
}

export type StopReason = 'stop-token' | 'max-new-tokens' | 'context-full';

export async function generate(model: LlamaModel, promptIds: number[], opts: GenerateOptions): Promise<number[]> {
  return (await generateWithInfo(model, promptIds, opts)).ids;
}

export async function generateWithInfo(
  model: LlamaModel,
  promptIds: number[],
  opts: GenerateOptions,
): Promise<{ ids: number[]; stoppedBy: StopReason; stopToken?: number }> {
  const { vocabSize, maxSeqLen } = model.config;
  checkOptions(opts);
  if (promptIds.length === 0) throw new UsageError('generate: the prompt must have at least one token (e.g. BOS)');
  for (const id of promptIds) {
    if (!Number.isInteger(id) || id < 0 || id >= vocabSize)
      throw new UsageError(`generate: prompt token ${id} is outside the vocabulary [0, ${vocabSize})`);
  }
  if (promptIds.length > maxSeqLen)
    throw new ShapeError(`generate: prompt of ${promptIds.length} tokens exceeds maxSeqLen ${maxSeqLen}`);
  const temperature = opts.temperature ?? 0;
  const topP = opts.topP ?? 1;
  const rng = new Rng(opts.seed ?? 0);
  const stops = new Set(opts.stopTokens ?? []);
  const cache = opts.useCache === false ? null : new KVCache(model.config.nLayers);
  const seq = [...promptIds];
  const out: number[] = [];
  try {
    for (let step = 0; step < opts.maxNewTokens; step++) {
      opts.signal?.throwIfAborted();
      if (seq.length >= maxSeqLen) return { ids: out, stoppedBy: 'context-full' };
      const logits = await nextLogits(model, seq, step === 0 ? seq : seq.slice(-1), cache);
      opts.signal?.throwIfAborted();
      const next = temperature > 0 ? sample(logits, temperature, topP, rng) : argmax(logits);
      if (stops.has(next)) return { ids: out, stoppedBy: 'stop-token', stopToken: next };
      out.push(next);
      seq.push(next);
      await opts.onToken?.(next, out.length - 1);
    }
    return { ids: out, stoppedBy: 'max-new-tokens' };
  } finally {
    cache?.dispose();
  }
}

function checkOptions(o: GenerateOptions): void {
  if (!Number.isInteger(o.maxNewTokens) || o.maxNewTokens < 0)
    throw new UsageError(`generate: maxNewTokens must be a non-negative integer, found ${o.maxNewTokens}`);
  if (o.temperature !== undefined && !(o.temperature >= 0 && Number.isFinite(o.temperature)))
    throw new UsageError(`generate: temperature must be ≥ 0, found ${o.temperature}`);
  if (o.topP !== undefined && !(o.topP > 0 && o.topP <= 1))
    throw new UsageError(`generate: topP must be in (0, 1], found ${o.topP}`);
}

/** Logits of the last position. With a cache only `feed` (the uncached tail) is run. */
async function nextLogits(
  model: LlamaModel,
  seq: number[],
  feed: number[],
  cache: KVCache | null,
): Promise<Float32Array> {
  const V = model.config.vocabSize;
  const last = tf.tidy(() => {
    const logits = cache
      ? model.forwardCached(tf.tensor2d([feed], [1, feed.length], 'int32'), cache) // [1, Tn, V]
      : model.forward(tf.tensor2d([seq], [1, seq.length], 'int32')); // [1, T, V]
    const t = logits.shape[1];
    return tf.slice(logits, [0, t - 1, 0], [1, 1, V]); // [1, 1, V]
  });
  try {
    return (await last.data()) as Float32Array;
  } finally {
    last.dispose();
  }
}

/** Index of the largest logit (the first on ties). */
export function argmax(logits: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
  return best;
}

/** Temperature + nucleus sampling in float64: keep the smallest set of top tokens with mass ≥ topP. */
export function sample(logits: ArrayLike<number>, temperature: number, topP: number, rng: Rng): number {
  const n = logits.length;
  let max = -Infinity;
  for (let i = 0; i < n; i++) max = Math.max(max, logits[i]);
  const probs = new Float64Array(n);
  let z = 0;
  for (let i = 0; i < n; i++) z += probs[i] = Math.exp((logits[i] - max) / temperature);
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => probs[b] - probs[a] || a - b);
  let keep = n;
  if (topP < 1) {
    let cum = 0;
    for (let k = 0; k < n; k++) {
      cum += probs[order[k]] / z;
      if (cum >= topP) {
        keep = k + 1;
        break;
      }
    }
  }
  let mass = 0;
  for (let k = 0; k < keep; k++) mass += probs[order[k]];
  let r = rng.next() * mass;
  for (let k = 0; k < keep; k++) {
    r -= probs[order[k]];
    if (r < 0) return order[k];
  }
  return order[keep - 1];
}
