/**
 * Pure helpers for the training plots: which kind of step a logged point is, and a smoothed curve.
 * A step whose batch held no reflection (student) row logs CE student = 0 and KL = 0: plotting it on the
 * same line as the reflection steps makes the curve zigzag, so each kind gets its own series.
 */
import type { TrainProgress } from '../../api/trainer.ts';

export type StepKind = 'reflection' | 'instruction';

export function stepKind(p: Pick<TrainProgress, 'ce_student' | 'kl'>): StepKind {
  return p.ce_student === 0 && p.kl === 0 ? 'instruction' : 'reflection';
}

/**
 * Exponential moving average with bias correction (TensorBoard's smoothing): `null` entries are skipped
 * (they stay null), so each series is smoothed over its own points only. weight 0 = raw values.
 */
export function smooth(values: (number | null)[], weight: number): (number | null)[] {
  let acc = 0;
  let n = 0;
  return values.map((v) => {
    if (v === null || !Number.isFinite(v)) return null;
    acc = acc * weight + (1 - weight) * v;
    n++;
    return acc / (1 - weight ** n);
  });
}

/** The smoothing weight for a run of `points` logged steps: light for short runs, stronger for long ones. */
export function smoothingWeight(points: number): number {
  return points < 20 ? 0.5 : points < 200 ? 0.8 : 0.95;
}

/** The value to show in a legend for data index `idx` (null = cursor outside: the latest point): the nearest
 *  non-null value at or before it. */
export function valueAtOrBefore(values: ArrayLike<number | null | undefined>, idx: number | null): number | null {
  let i = idx === null ? values.length - 1 : Math.min(idx, values.length - 1);
  for (; i >= 0; i--) {
    const v = values[i];
    if (v !== null && v !== undefined && Number.isFinite(v)) return v;
  }
  return null;
}
