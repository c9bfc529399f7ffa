/**
 * One optimizer step over gradAccumSteps micro-batches: loss + gradients per micro-batch (teacher
 * and student rows in one forward), accumulation (mean of micro-batch gradients), global-norm
 * clipping, AdamW with the scheduled learning rate. Numbers for logging are read asynchronously
 * (`await data()`, never dataSync — docs/platform.md) after the update is queued.
 */
import * as tf from '@tensorflow/tfjs';
import { ShapeError } from '../errors.ts';
import { reflectionDistillLoss, type LossWeights } from '../distill/loss.ts';
import type { LlamaModel } from '../model/llama.ts';
import type { AdamW } from './adamw.ts';
import { batchToTensors, disposeBatch, type HostBatch } from './batch.ts';
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

/** Loss parts and gradients (param layout, by name) of one micro-batch. The caller disposes both. */
export function lossAndGrads(
  model: LlamaModel,
  host: HostBatch,
  weights: LossWeights,
): { parts: tf.Tensor1D; grads: GradMap } {
  const batch = batchToTensors(host);
  try {
    let parts: tf.Tensor1D | null = null;
    const vars = [...model.trainable.values()]; // every parameter, or only a LoRA adapter's (lora.ts)
    const { value, grads } = tf.variableGrads(() => {
      const l = reflectionDistillLoss(model, batch, weights);
      parts = tf.keep(tf.stack([l.total, l.ceTeacher, l.ceStudent, l.kl, l.ce]) as tf.Tensor1D); // [5]
      return l.total;
    }, vars);
    value.dispose();
    const out: GradMap = new Map();
    for (const [name, v] of model.trainable) out.set(name, grads[v.name] ?? tf.zerosLike(v));
    return { parts: parts!, grads: out };
  } finally {
    disposeBatch(batch);
  }
}

export async function trainStep(
  model: LlamaModel,
  opt: AdamW,
  microBatches: HostBatch[],
  weights: LossWeights,
  lr: number,
  maxGradNorm: number,
): Promise<StepResult> {
  if (microBatches.length === 0) throw new ShapeError('a training step needs at least one micro-batch, found none');
  const scale = 1 / microBatches.length;
  let acc: GradMap | null = null;
  const partsAll: tf.Tensor1D[] = [];
  try {
    for (const host of microBatches) {
      const { parts, grads } = lossAndGrads(model, host, weights);
      partsAll.push(parts);
      acc = accumulateGrads(acc, grads, scale);
    }
    const { grads, norm } = clipByGlobalNorm(acc!, maxGradNorm);
    acc = grads;
    opt.apply(grads, lr);
    const mean = tf.tidy(() => tf.mean(tf.stack(partsAll), 0)); // [5]
    const [m, n] = await Promise.all([mean.data(), norm.data()]);
    tf.dispose([mean, norm]);
    return {
      total: m[0]!,
      ceTeacher: m[1]!,
      ceStudent: m[2]!,
      kl: m[3]!,
      ce: m[4]!,
      gradNorm: n[0]!,
      lr,
      tokens: microBatches.reduce((s, h) => s + h.counts.tokens, 0),
    };
  } finally {
    tf.dispose(partsAll);
    if (acc) for (const g of acc.values()) g.dispose();
  }
}
