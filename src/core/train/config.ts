/**
 * The training configuration, validated where it enters (CLI flags, the Train panel, a resumed
 * checkpoint): defaults fill missing keys, an unknown key or an impossible value is a ConfigError
 * naming it. Paper values (lr 5e-5, 2 epochs, batch 512, max length 4096) are for 7B models on GPUs;
 * the defaults here suit small models trained in a browser.
 */
import { ConfigError } from '../errors.ts';
import { parseBlockOrder, parseMaskStrategy, type AblationOptions, type MaskOptions } from '../distill/masks.ts';
import type { LossWeights } from '../distill/loss.ts';

/**
 * `official`: SenseLLM/ReflectionCoder compute_loss (one CE over teacher + student labels, KL at the
 * unshifted distillation-label positions). `per-term`: separate teacher / student CE means, KL at the
 * positions that predict the student targets.
 */
// Defined here, not in batch.ts: this module is pure (no tfjs), and the page's Train panel imports it.
export const OBJECTIVES = ['official', 'per-term'] as const;
export type Objective = (typeof OBJECTIVES)[number];

/** `official`: per-file, length-grouped batches (MultiDatasetsLengthGroupedSampler); `mixed`: one shuffled stream. */
export const BATCHINGS = ['official', 'mixed'] as const;
export type Batching = (typeof BATCHINGS)[number];

export interface TrainConfig {
  seed: number;
  /** Passes over the (up-sampled) data; used when maxSteps is 0. */
  epochs: number;
  /** Optimizer steps; 0 = derive from epochs. */
  maxSteps: number;
  /** Records per micro-batch (a reflection record gives a teacher and a student row). */
  batchSize: number;
  /** Micro-batches per optimizer step. */
  gradAccumSteps: number;
  /** Records longer than this (tokens) are dropped, never truncated. */
  maxLen: number;
  lr: number;
  weightDecay: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** Linear warmup over ceil(warmupRatio · totalSteps) steps, then cosine to 0. */
  warmupRatio: number;
  /** Global gradient-norm clip; 0 disables. */
  maxGradNorm: number;
  /** Each reflection record appears this many times per epoch (paper: 2). */
  upsampleReflection: number;
  /** The loss: `official` (compute_loss of the official code) or `per-term` (docs/METHOD.md §3). */
  objective: Objective;
  /** How records are grouped into micro-batches (docs/METHOD.md §5). */
  batching: Batching;
  mask: MaskOptions;
  lossWeights: LossWeights;
  ablation: AblationOptions;
}

export const DEFAULT_TRAIN_CONFIG: TrainConfig = {
  seed: 0,
  epochs: 2,
  maxSteps: 0,
  batchSize: 4,
  gradAccumSteps: 1,
  maxLen: 512,
  lr: 5e-4,
  weightDecay: 0.0,
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-8,
  warmupRatio: 0.05,
  maxGradNorm: 1.0,
  upsampleReflection: 2,
  objective: 'official',
  batching: 'mixed',
  mask: { strategy: 'block', order: 'EAC' },
  lossWeights: { teacher: 1, student: 1, kl: 1 },
  ablation: { withoutDynamicMask: false, withoutDistillation: false, withoutReflectionData: false },
};

type Check = (v: unknown, key: string) => unknown;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown): string => (typeof v === 'string' ? `"${v}"` : (JSON.stringify(v) ?? String(v)));

function int(min: number, max = Number.MAX_SAFE_INTEGER): Check {
  return (v, key) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw new ConfigError(
        `${key} must be an integer in [${min}, ${max === Number.MAX_SAFE_INTEGER ? '∞' : max}], found ${show(v)}`,
      );
    }
    return v;
  };
}
function num(min: number, max: number, opts: { minExclusive?: boolean; maxExclusive?: boolean } = {}): Check {
  return (v, key) => {
    const ok =
      typeof v === 'number' &&
      Number.isFinite(v) &&
      (opts.minExclusive ? v > min : v >= min) &&
      (opts.maxExclusive ? v < max : v <= max);
    if (!ok) {
      throw new ConfigError(
        `${key} must be a number in ${opts.minExclusive ? '(' : '['}${min}, ${max}${opts.maxExclusive ? ')' : ']'}, found ${show(v)}`,
      );
    }
    return v;
  };
}
function oneOf(values: readonly string[]): Check {
  return (v, key) => {
    if (typeof v !== 'string' || !values.includes(v))
      throw new ConfigError(`${key} must be one of ${values.join(', ')}, found ${show(v)}`);
    return v;
  };
}
/** A string normalised by a parser (accepted spellings → one name); its ConfigError is prefixed with the key. */
function spelled(parse: (s: string) => string): Check {
  return (v, key) => {
    if (typeof v !== 'string') throw new ConfigError(`${key} must be a string, found ${show(v)}`);
    try {
      return parse(v);
    } catch (e) {
      if (e instanceof ConfigError) throw new ConfigError(`${key}: ${e.message}`);
      throw e;
    }
  };
}
const bool: Check = (v, key) => {
  if (typeof v !== 'boolean') throw new ConfigError(`${key} must be true or false, found ${show(v)}`);
  return v;
};

function section<T extends object>(raw: unknown, defaults: T, checks: Record<keyof T, Check>, prefix: string): T {
  if (raw === undefined) return { ...defaults };
  if (!isObj(raw)) throw new ConfigError(`${prefix || 'train config'} must be an object, found ${show(raw)}`);
  const out: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  for (const [k, v] of Object.entries(raw)) {
    const check = (checks as Record<string, Check>)[k];
    if (!check) {
      throw new ConfigError(
        `unknown train config key "${prefix}${k}" (expected one of ${Object.keys(checks)
          .map((c) => prefix + c)
          .join(', ')})`,
      );
    }
    if (v === undefined) continue;
    out[k] = check(v, prefix + k);
  }
  return out as T;
}

const D = DEFAULT_TRAIN_CONFIG;

/** Validates a (partial) config object; missing keys take the defaults. */
export function validateTrainConfig(raw: unknown = {}): TrainConfig {
  const c = section<TrainConfig>(
    raw,
    D,
    {
      seed: int(0, 0xffffffff),
      epochs: num(0, 1000, { minExclusive: true }),
      maxSteps: int(0),
      batchSize: int(1, 4096),
      gradAccumSteps: int(1, 4096),
      maxLen: int(4, 1 << 20),
      lr: num(0, 1, { minExclusive: true }),
      weightDecay: num(0, 1),
      beta1: num(0, 1, { maxExclusive: true }),
      beta2: num(0, 1, { maxExclusive: true }),
      eps: num(0, 1, { minExclusive: true }),
      warmupRatio: num(0, 1),
      maxGradNorm: num(0, 1e6),
      upsampleReflection: int(1, 64),
      objective: oneOf(OBJECTIVES),
      batching: oneOf(BATCHINGS),
      mask: (v) =>
        section(v, D.mask, { strategy: spelled(parseMaskStrategy), order: spelled(parseBlockOrder) }, 'mask.'),
      lossWeights: (v) =>
        section(v, D.lossWeights, { teacher: num(0, 1e3), student: num(0, 1e3), kl: num(0, 1e3) }, 'lossWeights.'),
      ablation: (v) =>
        section(
          v,
          D.ablation,
          { withoutDynamicMask: bool, withoutDistillation: bool, withoutReflectionData: bool },
          'ablation.',
        ),
    },
    '',
  );
  const w = c.lossWeights;
  if (w.teacher + w.student + w.kl === 0)
    throw new ConfigError('lossWeights: at least one of teacher, student, kl must be > 0, found all 0');
  return c;
}
