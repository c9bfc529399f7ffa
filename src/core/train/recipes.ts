/**
 * Training recipes: named sets of TrainConfig values applied on top of a preset's defaults (and under
 * the user's own `train` keys). docs/METHOD.md §8 lists where the paper and the released command differ.
 *
 * `released` — the only released training command (SenseLLM/ReflectionCoder README.md, "Train Script"):
 *   --learning_rate 5e-5 --lr_scheduler_type cosine --warmup_ratio 0.05 --num_train_epochs 2
 *   --max_len 4096 --seed 3407 --logit --block_mask --block_order tce, the reflection files listed twice
 *   (×2 up-sampling), per_device_train_batch_size 1 on 16 GPUs × gradient_accumulation_steps 32 = 512
 *   records per step; Hugging Face defaults for the rest (weight decay 0, betas 0.9/0.999, eps 1e-8,
 *   max_grad_norm 1). One record per micro-batch and 512 micro-batches per step give the same reduction
 *   as the official run: each device's loss is one record's mean, and the step averages 512 of them.
 * `paper` — the same, with the paper's block order E, A, C (§4.1 "Implementation Details").
 * Both are for pretrained models: 4096-token records need a model whose maxSeqLen is at least 4096.
 */
import type { TrainConfig } from './config.ts';

const RELEASED: Partial<TrainConfig> = {
  seed: 3407,
  epochs: 2,
  maxSteps: 0,
  batchSize: 1,
  gradAccumSteps: 512,
  maxLen: 4096,
  lr: 5e-5,
  weightDecay: 0,
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-8,
  warmupRatio: 0.05,
  maxGradNorm: 1,
  upsampleReflection: 2,
  objective: 'official',
  batching: 'official',
  mask: { strategy: 'block', order: 'ACE' },
  lossWeights: { teacher: 1, student: 1, kl: 1 },
};

export const TRAIN_RECIPES: Record<string, Partial<TrainConfig>> = {
  /** No recipe: the preset's own defaults (sized for small models in a browser). */
  app: {},
  released: RELEASED,
  paper: { ...RELEASED, mask: { strategy: 'block', order: 'EAC' } },
};
export const RECIPE_NAMES = Object.keys(TRAIN_RECIPES);
