/**
 * One optimizer step: loss + gradients of the step's host batches (teacher and student rows in one
 * forward), computed by a GradientRunner — here one after the other, or on data-parallel replicas too —
 * and summed: the batches are the step's micro-batches cut and spread by shard.ts, normalised so that
 * their plain sum is the mean over micro-batches (gradient accumulation). Then global-norm clipping and
 * AdamW with the scheduled learning rate. Numbers for logging are read asynchronously (`await data()`,
 * never dataSync — docs/platform.md) after the update is queued.
 */
import * as tf from '@tensorflow/tfjs';
import { BackendError, ShapeError } from '../errors.ts';
import { outsideTeacherLogProbs, reflectionDistillLoss, type LossWeights } from '../distill/loss.ts';
import type { LlamaModel } from '../model/llama.ts';
import type { AdamW } from './adamw.ts';
import { batchToTensors, disposeBatch, type DistillBatch, type HostBatch } from './batch.ts';
import type { TeacherExchange } from './exchange.ts';
import { accumulateGrads, clipByGlobalNorm, type GradMap } from './grads.ts';

export interface StepResult {
  /** Mean over the micro-batches of each term. */
  total: number;
  /** Official: the pooled CE; per-term: the weighted sum of the two CE terms. */
  ce: number;
  ceTeacher: number;
  ceStudent: number;
  kl: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
  lr: number;
  /** Real (non-pad) tokens processed in this step. */
  tokens: number;
}

/**
 * Loss parts and gradients (param layout, by name) of one host batch (a micro-batch or one shard of it). The
 * caller disposes both. `exchange`: the shared memory through which split pairs' teacher log-probabilities
 * pass between instances (exchange.ts); without it, a batch whose teachers are outside runs their forward
 * pass here.
 */
export function lossAndGrads(
  model: LlamaModel,
  host: HostBatch,
  weights: LossWeights,
  exchange: TeacherExchange | null = null,
): { parts: tf.Tensor1D; grads: GradMap } {
  const batch = batchToTensors(host);
  const slots = exchange && host.teacherSlots ? host.teacherSlots : null;
  // A batch whose teachers are outside it (a split pair, shard.ts): their KL target, without gradients —
  // from the exchange, after this batch's forward pass, or computed here first.
  const outside = batch.teacherOutside && !slots ? tf.tidy(() => outsideTeacherLogProbs(model, batch)) : undefined;
  const target = slots ? () => takeTargets(exchange!, slots, batch) ?? untapedTeacherLogProbs(model, batch) : outside;
  // The rows are published from inside the gradient tape, where nothing can be awaited: a synchronous read,
  // which on wasm/cpu is a heap copy. Replicas (and so the exchange) exist only there; on webgpu dataSync
  // would stall and break the device (docs/platform.md), so it is refused outright.
  if (exchange && tf.getBackend() === 'webgpu')
    throw new BackendError('the split pairs’ shared exchange runs on CPU backends (wasm, cpu) only');
  const publish = exchange
    ? (slot: Parameters<TeacherExchange['publish']>[0], logProbs: tf.Tensor2D) =>
        exchange.publish(slot, logProbs.dataSync() as Float32Array)
    : undefined;
  try {
    let parts: tf.Tensor1D | null = null;
    const vars = [...model.trainable.values()]; // every parameter, or only a LoRA adapter's (lora.ts)
    const { value, grads } = tf.variableGrads(() => {
      const l = reflectionDistillLoss(model, batch, weights, target, publish);
      parts = tf.keep(tf.stack([l.total, l.ceTeacher, l.ceStudent, l.kl, l.ce]) as tf.Tensor1D); // [5]
      return l.total;
    }, vars);
    value.dispose();
    const out: GradMap = new Map();
    for (const [name, v] of model.trainable) out.set(name, grads[v.name] ?? tf.zerosLike(v));
    return { parts: parts!, grads: out };
  } finally {
    outside?.dispose();
    disposeBatch(batch);
  }
}

/** The teachers' KL target [K, V] from the exchange, pair after pair; null if one did not come in time. */
function takeTargets(exchange: TeacherExchange, slots: NonNullable<HostBatch['teacherSlots']>, batch: DistillBatch) {
  const vocab = exchange.handle.vocab;
  const out = new Float32Array(batch.nKl * vocab);
  let at = 0;
  for (const s of slots) {
    const rows = exchange.take(s);
    if (!rows) return null;
    out.set(rows, at);
    at += rows.length;
  }
  if (at !== out.length) throw new ShapeError(`exchange: ${at / vocab} teacher rows for ${batch.nKl} KL positions`);
  return tf.tensor2d(out, [batch.nKl, vocab]);
}

/**
 * The teachers' KL target computed here, inside the gradient tape but not recorded on it: a kernel's inner
 * ops are not taped, and this node's only input (the teachers' ids) needs no gradient, so the backward pass
 * never runs through the teachers' forward (their log-probabilities are detached in the KL term anyway).
 */
function untapedTeacherLogProbs(model: LlamaModel, batch: DistillBatch): tf.Tensor2D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
    value: outsideTeacherLogProbs(model, batch),
    gradFunc: () => [tf.zerosLike(args[0] as tf.Tensor)],
  })) as unknown as (ids: tf.Tensor) => tf.Tensor2D;
  return op(batch.teacherOutside!.inputIds);
}

/** Loss parts [5] and gradients (param layout, by name), summed over some host batches; the caller disposes both. */
export interface BatchGrads {
  parts: tf.Tensor1D;
  grads: GradMap;
}

/**
 * Computes a step's loss parts and gradients: the sum over its sub-batches (shard.ts), given as
 * [instance][sub-batch]. The local runner computes them all here, one after the other; a data-parallel
 * pool (services/trainer/data-parallel.ts) gives instance i > 0's sub-batches to replica i.
 */
export interface GradientRunner {
  /** Instances computing at the same time (1: this one alone). */
  readonly instances: number;
  /** Do the instances share memory, so that split pairs hand their KL targets over (exchange.ts)? */
  readonly sharesMemory?: boolean;
  /**
   * `version` names the model's current parameters (the optimizer's step count): a runner with
   * replicas sends the parameters to them only when it changed.
   */
  run(
    model: LlamaModel,
    shards: readonly (readonly HostBatch[])[],
    weights: LossWeights,
    version: number,
  ): Promise<BatchGrads>;
}

/** Sums results of host batches. CONSUMES the inputs. */
export function sumShardGrads(results: BatchGrads[]): BatchGrads {
  if (results.length === 0) throw new ShapeError('nothing to sum: no host batch was computed');
  let grads: GradMap | null = null;
  for (const r of results) grads = accumulateGrads(grads, r.grads, 1);
  // Pairwise adds (not addN: see grads.ts on webgpu's binding limit).
  const parts =
    results.length === 1
      ? results[0]!.parts
      : (tf.tidy(() => results.map((r) => r.parts as tf.Tensor).reduce((a, b) => tf.add(a, b))) as tf.Tensor1D);
  if (results.length > 1) tf.dispose(results.map((r) => r.parts));
  return { parts, grads: grads! };
}

/** Loss parts and gradients of host batches computed here one after the other, summed as they come. */
export function localGrads(
  model: LlamaModel,
  hosts: readonly HostBatch[],
  weights: LossWeights,
  exchange: TeacherExchange | null = null,
): BatchGrads {
  if (hosts.length === 0) throw new ShapeError('nothing to compute: no host batch');
  let sum: BatchGrads | null = null;
  try {
    for (const host of hosts) {
      const r = lossAndGrads(model, host, weights, exchange);
      sum = sum ? sumShardGrads([sum, r]) : r;
    }
  } catch (e) {
    if (sum) tf.dispose([sum.parts, ...sum.grads.values()]);
    throw e;
  }
  return sum!;
}

/** Every sub-batch on this instance. */
export const localRunner: GradientRunner = {
  instances: 1,
  async run(model, shards, weights) {
    return localGrads(model, shards.flat(), weights);
  },
};

/**
 * `shards`: the step's host batches as [instance][sub-batch] (shard.ts stepHostBatches: their `norm`s
 * make the plain sum over them the mean over micro-batches; [[batch]] for one unsplit micro-batch).
 */
export async function trainStep(
  model: LlamaModel,
  opt: AdamW,
  shards: readonly (readonly HostBatch[])[],
  weights: LossWeights,
  lr: number,
  maxGradNorm: number,
  runner: GradientRunner = localRunner,
): Promise<StepResult> {
  if (shards.flat().length === 0) throw new ShapeError('a training step needs at least one batch, found none');
  let acc: GradMap | null = null;
  let parts: tf.Tensor1D | null = null;
  try {
    const r = await runner.run(model, shards, weights, opt.step);
    parts = r.parts;
    acc = r.grads;
    const { grads, norm } = clipByGlobalNorm(acc!, maxGradNorm);
    acc = grads;
    opt.apply(grads, lr);
    const [m, n] = await Promise.all([parts.data(), norm.data()]); // parts: [5], already the mean over micro-batches
    norm.dispose();
    return {
      total: m[0]!,
      ceTeacher: m[1]!,
      ceStudent: m[2]!,
      kl: m[3]!,
      ce: m[4]!,
      gradNorm: n[0]!,
      lr,
      tokens: shards.flat().reduce((s, h) => s + h.counts.tokens, 0),
    };
  } finally {
    parts?.dispose();
    if (acc) for (const g of acc.values()) g.dispose();
  }
}
