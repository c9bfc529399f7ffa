/**
 * The training recipe (docs/METHOD.md §5): reflection records up-sampled by a factor; micro-batches of
 * record indices streamed across epochs with a resumable state, either `mixed` (one shuffled stream of
 * both record types) or `official` (length-grouped batches of one record group each, as the official
 * MultiDatasetsLengthGroupedSampler, see ./length-grouped.ts); and the rows of one micro-batch built
 * for a given optimizer step (the mask rate, and so the student visibility, depends on the step).
 */
import { ConfigError } from '../errors.ts';
import { effectiveMaskOptions, maskRate, studentVisibility } from '../distill/masks.ts';
import { generationRow, studentRow, teacherRow, type TrainRow } from '../distill/rows.ts';
import type { EncodedRecord } from '../records/serialize.ts';
import { Rng } from '../rng.ts';
import { makeHostBatch, type HostBatch } from './batch.ts';
import { stepHostBatches, WHOLE, type ShardOptions, type StepRows } from './shard.ts';
import { officialEpochOrder, officialItemsPerEpoch } from './length-grouped.ts';
import type { TrainConfig } from './config.ts';
import { totalStepsFor, warmupStepsFor } from './schedule.ts';

export interface RunPlan {
  reflectionRecords: number;
  generationRecords: number;
  /** Items per epoch after up-sampling and ablations. */
  itemsPerEpoch: number;
  totalSteps: number;
  warmupSteps: number;
}

function usable(e: EncodedRecord, cfg: TrainConfig): boolean {
  return !(e.type === 'reflection' && cfg.ablation.withoutReflectionData);
}

function copies(e: EncodedRecord, cfg: TrainConfig): number {
  return e.type === 'reflection' ? cfg.upsampleReflection : 1;
}

export function planRun(encoded: readonly EncodedRecord[], cfg: TrainConfig): RunPlan {
  const refl = encoded.filter((e) => e.type === 'reflection').length;
  const gen = encoded.length - refl;
  const itemsPerEpoch =
    cfg.batching === 'official'
      ? officialItemsPerEpoch(encoded, cfg, usable, copies)
      : encoded.reduce((n, e) => n + (usable(e, cfg) ? copies(e, cfg) : 0), 0);
  const totalSteps = totalStepsFor(itemsPerEpoch, cfg);
  return {
    reflectionRecords: refl,
    generationRecords: gen,
    itemsPerEpoch,
    totalSteps,
    warmupSteps: warmupStepsFor(totalSteps, cfg.warmupRatio),
  };
}

/** One epoch: every usable record index repeated by its up-sampling factor, shuffled (`mixed`), or
 *  length-grouped batches of one record group each, remainders dropped, batches shuffled (`official`). */
export function epochOrder(encoded: readonly EncodedRecord[], cfg: TrainConfig, rng: Rng): number[] {
  if (cfg.batching === 'official') {
    const order = officialEpochOrder(encoded, cfg, rng, usable, copies);
    if (order.length === 0) {
      throw new ConfigError(
        `no full batch of ${cfg.batchSize} records of one type: official batching drops each group's remainder (use batching "mixed" or a smaller batchSize)`,
      );
    }
    return order;
  }
  const order: number[] = [];
  encoded.forEach((e, i) => {
    if (!usable(e, cfg)) return;
    for (let k = 0; k < copies(e, cfg); k++) order.push(i);
  });
  if (order.length === 0)
    throw new ConfigError('no training records left (after filtering by length and ablations): nothing to train on');
  return rng.shuffle(order);
}

export interface SamplerState {
  epoch: number;
  cursor: number;
  order: number[];
  rngState: number;
}

/** Streams micro-batches of `batchSize` record indices, reshuffling at each epoch boundary. */
export class BatchSampler {
  private readonly rng: Rng;
  private epochIndex = 0;
  private cursor = 0;
  private order: number[];

  constructor(
    private readonly encoded: readonly EncodedRecord[],
    private readonly cfg: TrainConfig,
  ) {
    this.rng = new Rng(cfg.seed);
    this.order = epochOrder(encoded, cfg, this.rng);
  }

  get epoch(): number {
    return this.epochIndex;
  }

  /** Fractional epochs consumed (for progress display). */
  get epochProgress(): number {
    return this.epochIndex + this.cursor / this.order.length;
  }

  next(): number[] {
    const out: number[] = [];
    while (out.length < this.cfg.batchSize) {
      if (this.cursor >= this.order.length) {
        this.order = epochOrder(this.encoded, this.cfg, this.rng);
        this.epochIndex++;
        this.cursor = 0;
      }
      out.push(this.order[this.cursor++]!);
    }
    return out;
  }

  /** Plain data for a checkpoint; setState resumes the exact same stream. */
  getState(): SamplerState {
    return { epoch: this.epochIndex, cursor: this.cursor, order: [...this.order], rngState: this.rng.getState() };
  }

  setState(s: SamplerState): void {
    const n = this.encoded.length;
    const ok =
      Array.isArray(s.order) &&
      s.order.length > 0 &&
      s.order.every((i) => Number.isInteger(i) && i >= 0 && i < n) &&
      Number.isInteger(s.cursor) &&
      s.cursor >= 0 &&
      s.cursor <= s.order.length &&
      Number.isInteger(s.epoch) &&
      s.epoch >= 0 &&
      Number.isInteger(s.rngState) &&
      s.rngState >= 0 &&
      s.rngState <= 0xffffffff;
    if (!ok)
      throw new ConfigError('sampler state does not fit this dataset (was the dataset changed since the checkpoint?)');
    this.rng.setState(s.rngState);
    this.epochIndex = s.epoch;
    this.cursor = s.cursor;
    this.order = [...s.order];
  }
}

/** Seed of the mask RNG for a micro-batch of a step: deterministic, so a resumed run masks exactly as
 *  the original, and distinct per micro-batch (with gradient accumulation every micro-batch draws its own masks). */
export function maskRng(seed: number, step: number, micro: number): Rng {
  return new Rng(
    (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(step + 1, 0x85ebca6b) ^ Math.imul(micro, 0xc2b2ae35)) >>> 0,
  ); // micro 0: the stream of earlier versions
}

/**
 * Rows of one micro-batch at optimizer step `step` (0-based) of `totalSteps`: a reflection record
 * gives a (teacher, student) pair — or, "w/o distillation", a plain next-token row — and a
 * generation record a next-token row.
 */
export function buildStepRows(
  encoded: readonly EncodedRecord[],
  indices: readonly number[],
  cfg: TrainConfig,
  step: number,
  totalSteps: number,
  /** Index of this micro-batch within the step (0 … gradAccumSteps − 1). */
  micro = 0,
): StepRows {
  const rate = maskRate(step, totalSteps);
  const mask = effectiveMaskOptions(cfg.mask, cfg.ablation);
  const rng = maskRng(cfg.seed, step, micro);
  const pairs: StepRows['pairs'] = [];
  const others: TrainRow[] = [];
  for (const i of indices) {
    const e = encoded[i];
    if (!e) throw new ConfigError(`record index ${i} is outside the dataset (${encoded.length} records)`);
    if (e.type === 'reflection' && !cfg.ablation.withoutDistillation) {
      pairs.push({
        teacher: teacherRow(e),
        student: studentRow(e, studentVisibility(e, mask, rate, rng, cfg.objective)),
      });
    } else {
      others.push(generationRow(e));
    }
  }
  return { pairs, others };
}

/** The padded host batch of one micro-batch (buildStepRows, then makeHostBatch). */
export function buildStepBatch(
  encoded: readonly EncodedRecord[],
  indices: readonly number[],
  cfg: TrainConfig,
  step: number,
  totalSteps: number,
  padId: number,
  micro = 0,
): HostBatch {
  const rows = buildStepRows(encoded, indices, cfg, step, totalSteps, micro);
  return makeHostBatch(rows.pairs, rows.others, padId, cfg.objective);
}

/**
 * The rows of the gradAccumSteps micro-batches of optimizer step `step`, the sampler advancing as
 * one-at-a-time micro-batches would. Each micro-batch has its own mask RNG (see maskRng).
 */
export function stepRows(
  encoded: readonly EncodedRecord[],
  sampler: { next(): number[] },
  cfg: TrainConfig,
  step: number,
  totalSteps: number,
): StepRows[] {
  return Array.from({ length: cfg.gradAccumSteps }, (_, micro) =>
    buildStepRows(encoded, sampler.next(), cfg, step, totalSteps, micro),
  );
}

/**
 * The host batches of optimizer step `step` as [instance][sub-batch] (shard.ts: micro-batches cut by
 * length and spread over instances; the masks are drawn before, so they do not depend on the plan).
 */
export function stepShards(
  encoded: readonly EncodedRecord[],
  sampler: { next(): number[] },
  cfg: TrainConfig,
  step: number,
  totalSteps: number,
  padId: number,
  shards: ShardOptions = WHOLE,
): HostBatch[][] {
  return stepHostBatches(stepRows(encoded, sampler, cfg, step, totalSteps), shards, padId, cfg.objective);
}
