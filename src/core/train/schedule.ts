/**
 * Learning-rate schedule: linear warmup then cosine decay to 0, exactly as Hugging Face's
 * get_cosine_schedule_with_warmup (so step 0 has learning rate 0; adamw-cosine.json pins it).
 */
import { ConfigError } from '../errors.ts';

/** Warmup steps from a ratio, as Hugging Face's TrainingArguments.get_warmup_steps: ceil(ratio · total). */
export function warmupStepsFor(totalSteps: number, warmupRatio: number): number {
  return Math.ceil(warmupRatio * totalSteps);
}

/** Learning rate used at optimizer step `step` (0-based). */
export function cosineLr(step: number, totalSteps: number, warmupSteps: number, peakLr: number): number {
  if (!Number.isInteger(totalSteps) || totalSteps < 1)
    throw new ConfigError(`totalSteps must be an integer >= 1, found ${totalSteps}`);
  if (!Number.isInteger(step) || step < 0) throw new ConfigError(`step must be an integer >= 0, found ${step}`);
  if (step < warmupSteps) return (peakLr * step) / Math.max(1, warmupSteps);
  const progress = (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
  return peakLr * Math.max(0, 0.5 * (1 + Math.cos(Math.PI * progress)));
}

/** Optimizer steps for a run: maxSteps if set, else ceil(epochs · items / (batch · accumulation)). */
export function totalStepsFor(
  itemsPerEpoch: number,
  cfg: { epochs: number; maxSteps: number; batchSize: number; gradAccumSteps: number },
): number {
  if (cfg.maxSteps > 0) return cfg.maxSteps;
  if (itemsPerEpoch <= 0)
    throw new ConfigError('no training records left (after filtering by length and ablations): nothing to train on');
  return Math.max(1, Math.ceil((cfg.epochs * itemsPerEpoch) / (cfg.batchSize * cfg.gradAccumSteps)));
}
