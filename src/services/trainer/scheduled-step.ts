/**
 * The one optimizer step of every run (TrainingRun and FinetuneRun): the step's micro-batches from
 * the sampler, the scheduled learning rate, then core's trainStep; and what a step measured.
 */
import * as tf from '@tensorflow/tfjs';
import { maskRate } from '../../core/distill/masks.ts';
import { attentionTokens } from '../../core/train/shard.ts';
import type { LlamaModel } from '../../core/model/llama.ts';
import type { EncodedRecord } from '../../core/records/serialize.ts';
import type { AdamW } from '../../core/train/adamw.ts';
import { BatchSampler, stepShards, type RunPlan } from '../../core/train/recipe.ts';
import type { RunConfig } from '../../core/train/run-config.ts';
import { cosineLr } from '../../core/train/schedule.ts';
import { trainStep, type GradientRunner } from '../../core/train/step.ts';

/** What one optimizer step measured (host numbers). */
export interface StepResult {
  /**
   * Optimizer steps completed, counting this one (1-based: the first step is 1), the same count as
   * TrainProgress.step and a run's `step`. scheduledStep is the one place that converts from the
   * 0-based index the schedule, masks and sampler take.
   */
  step: number;
  loss: number;
  ceTeacher: number;
  ceStudent: number;
  kl: number;
  gradNorm: number;
  lr: number;
  maskRate: number;
  /** Non-padding tokens in the step's rows (all micro-batches). */
  tokens: number;
  /** Padded [rows, seqLen] of every sub-batch of every micro-batch: the shapes the step actually computed (FLOP counts). */
  shapes: [number, number][];
}

/** What one optimizer step needs; the same for a from-scratch run and a fine-tuning run. */
export interface ScheduledStepInput {
  model: LlamaModel;
  optimizer: AdamW;
  encoded: EncodedRecord[];
  sampler: BatchSampler;
  train: RunConfig['train'];
  plan: RunPlan;
  pad: number;
  /** Steps completed before this one: the 0-based index of the step about to run (schedule, masks, sampler). */
  step: number;
  /** Called with the step before its micro-batches run (a LoRA adapter draws its dropout masks here). */
  beforeStep?: (step: number) => void;
  /** Who computes the micro-batches' gradients (default: this instance; data-parallel.ts: replicas too). */
  runner?: GradientRunner;
}

/**
 * The one optimizer step of every run: the step's micro-batches from the sampler (each with its own mask
 * stream), the cosine/warmup lr, then core's trainStep (accumulate, clip, AdamW).
 */
export async function scheduledStep(i: ScheduledStepInput): Promise<StepResult> {
  const { train: t, step } = i;
  const total = i.plan.totalSteps;
  const lr = cosineLr(step, total, i.plan.warmupSteps, t.lr);
  // On a CPU backend the micro-batches are cut into sub-batches by length (padding costs as much as a token)
  // and spread over the runner's instances; a GPU computes each micro-batch whole (shard.ts).
  const shards = {
    instances: i.runner?.instances ?? 1,
    subBatches: tf.getBackend() !== 'webgpu',
    attentionTokens: attentionTokens(i.model.config),
    teacherExchange: i.runner?.sharesMemory === true,
  };
  const hosts = stepShards(i.encoded, i.sampler, t, step, total, i.pad, shards);
  i.beforeStep?.(step);
  const r = await trainStep(i.model, i.optimizer, hosts, t.lossWeights, lr, t.maxGradNorm, i.runner);
  return {
    step: step + 1, // completed steps, counting this one (StepResult.step)
    loss: r.total,
    ceTeacher: r.ceTeacher,
    ceStudent: r.ceStudent,
    kl: r.kl,
    gradNorm: r.gradNorm,
    lr,
    maskRate: maskRate(step, total),
    tokens: r.tokens,
    shapes: hosts.flat().map((h) => [h.batchSize, h.seqLen] as [number, number]),
  };
}
