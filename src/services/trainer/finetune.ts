// Over 300 lines: one fine-tuning run and its checkpoint format (write, resume, open for export); the format's writer and readers stay together.
/**
 * Fine-tuning a pretrained Hugging Face model with the ReflectionCoder objective, in LoRA or full
 * mode: open the folder, add the seven tokens (official model_utils.py), encode the records with
 * the model's own tokenizer, and step with the same loss, recipe, sampler and AdamW as a
 * from-scratch run. In LoRA mode the base is frozen and AdamW holds moments only for the adapter
 * and the new-token row deltas (lora.ts).
 *
 * Checkpoint (adapter-only in LoRA mode): `finetune.json` names the base model's files by name,
 * size and sha-256 (so resuming or exporting refuses a different base), and
 * `finetune.safetensors` holds the trainable tensors (HF layout) and their AdamW moments.
 */
import * as tf from '@tensorflow/tfjs';
import { CheckpointError, ConfigError } from '../../core/errors.ts';
import { backendLimits, checkBudget, detectEnv, estimateMemory } from '../../core/model/budget.ts';
import {
  inspectHFFolder,
  loadHFWeights,
  type HFFolderPlan,
  type LoadProgress,
  type ModelSource,
} from '../../core/model/hf-folder.ts';
import type { LlamaModel } from '../../core/model/llama.ts';
import { LoraAdapter, validateLoraConfig, type LoraConfig } from '../../core/model/lora.ts';
import { addReflectionTokens } from '../../core/model/reflection-tokens.ts';
import {
  parseSafetensors,
  writeSafetensors,
  type SafeTensor,
  type WritableTensor,
} from '../../core/model/safetensors.ts';
import { encodeRecords, type EncodedRecord } from '../../core/records/serialize.ts';
import type { ReflectionRecord } from '../../core/records/schema.ts';
import type { HFTokenizer } from '../../core/tokenizer/hf.ts';
import { loadHFTokenizer } from '../../core/tokenizer/hf-load.ts';
import { AdamW } from '../../core/train/adamw.ts';
import { validateTrainConfig, type TrainConfig } from '../../core/train/config.ts';
import { BatchSampler, planRun, type RunPlan, type SamplerState } from '../../core/train/recipe.ts';
import { baseFingerprint, checkFingerprint, type BaseFile } from './base-files.ts';
import { gpuLimits } from './device-limits.ts';
import { scheduledStep, type StepResult } from './scheduled-step.ts';

export const FINETUNE_FORMAT = 'reflectioncoder-web/finetune-checkpoint';

export interface FinetuneConfig {
  mode: 'lora' | 'full';
  lora: LoraConfig;
  train: TrainConfig;
  /** Context cap for this session (RoPE tables); default: the records' maxLen. */
  maxContext?: number;
}

export function validateFinetuneConfig(
  raw: Partial<{ mode: string; lora: Partial<LoraConfig>; train: unknown; maxContext: number }>,
): FinetuneConfig {
  const mode = raw.mode ?? 'lora';
  if (mode !== 'lora' && mode !== 'full')
    throw new ConfigError(`finetune.mode must be "lora" or "full", found ${JSON.stringify(mode)}`);
  return {
    mode,
    lora: validateLoraConfig(raw.lora ?? {}),
    train: validateTrainConfig(raw.train ?? {}),
    maxContext: raw.maxContext,
  };
}

export interface FinetuneJson {
  format: typeof FINETUNE_FORMAT;
  version: 1;
  base: { label: string; files: BaseFile[]; hfConfig: Record<string, unknown> };
  config: FinetuneConfig;
  addedTokens: { token: string; id: number }[];
  step: number;
  totalSteps: number;
  sampler: SamplerState;
  optimizerStep: number;
  metrics: { step: number; loss: number; lr: number; gradNorm: number; tokens: number }[];
}

/** What one fine-tuning step measured: the trainer's StepResult (1-based step) without the batch shapes. */
export type StepReport = Omit<StepResult, 'shapes'>;

/** Opens base model + tokenizer and adds the reflection tokens (+ LoRA adapter in LoRA mode). */
export async function openForFinetune(
  src: ModelSource,
  cfg: FinetuneConfig,
  onProgress?: (p: LoadProgress) => void,
): Promise<{
  model: LlamaModel;
  tokenizer: HFTokenizer;
  plan: HFFolderPlan;
  adapter: LoraAdapter | null;
  added: { token: string; id: number }[];
}> {
  const base = await loadHFTokenizer(src);
  if (!base) throw new ConfigError(`${src.label}: fine-tuning needs the model's tokenizer.json (records are text)`);
  const plan = await inspectHFFolder(src, { maxContext: cfg.maxContext ?? cfg.train.maxLen });
  // Memory estimate before any tensor exists (budget.ts), with the vocabulary after the new tokens.
  const shape = { ...plan.config, vocabSize: Math.max(plan.config.vocabSize, base.size + 7) };
  const est = estimateMemory(shape, {
    batch: 2 * cfg.train.batchSize,
    seqLen: Math.min(cfg.train.maxLen, plan.config.maxSeqLen),
    mode: cfg.mode,
    lora: cfg.mode === 'lora' ? { rank: cfg.lora.rank, targets: cfg.lora.targets } : undefined,
  });
  checkBudget(est, currentLimits(), `${cfg.mode === 'lora' ? 'LoRA' : 'full'} fine-tuning of ${src.label}`);
  const loaded = await loadHFWeights(src, plan, onProgress);
  const { model, tokenizer, added } = addReflectionTokens(loaded, base);
  let adapter: LoraAdapter | null = null;
  if (cfg.mode === 'lora') {
    adapter = LoraAdapter.init(
      model.config,
      cfg.lora,
      cfg.train.seed,
      added.length ? { first: added[0]!.id, count: added.length } : undefined,
    );
    adapter.attach(model, { train: true, seed: cfg.train.seed });
  }
  return { model, tokenizer, plan, adapter, added };
}

/** This backend's limits, with the WebGPU device's buffer/binding limits when tfjs runs on webgpu. */
export function currentLimits(): ReturnType<typeof backendLimits> {
  const env = detectEnv(tf.getBackend());
  const gpu = gpuLimits();
  if (env.backend === 'webgpu' && gpu) env.gpu = gpu;
  return backendLimits(env);
}

export class FinetuneRun {
  step = 0;
  metrics: FinetuneJson['metrics'] = [];

  private constructor(
    readonly config: FinetuneConfig,
    readonly model: LlamaModel,
    readonly tokenizer: HFTokenizer,
    readonly adapter: LoraAdapter | null,
    readonly added: { token: string; id: number }[],
    readonly plan: HFFolderPlan,
    readonly base: { label: string; files: BaseFile[] },
    readonly encoded: EncodedRecord[],
    readonly runPlan: RunPlan,
    readonly sampler: BatchSampler,
    readonly optimizer: AdamW,
    readonly dropped: number,
  ) {}

  static async create(
    src: ModelSource,
    records: ReflectionRecord[],
    cfg: FinetuneConfig,
    onProgress?: (p: LoadProgress) => void,
  ): Promise<FinetuneRun> {
    const files = await baseFingerprint(src);
    const o = await openForFinetune(src, cfg, onProgress);
    try {
      const { encoded, dropped } = encodeRecords(records, o.tokenizer, cfg.train.maxLen);
      if (!encoded.length)
        throw new ConfigError(`no record fits train.maxLen ${cfg.train.maxLen} tokens with this tokenizer`);
      const runPlan = planRun(encoded, cfg.train);
      const t = cfg.train;
      const optimizer = new AdamW(o.model.trainable, {
        beta1: t.beta1,
        beta2: t.beta2,
        eps: t.eps,
        weightDecay: t.weightDecay,
      });
      return new FinetuneRun(
        cfg,
        o.model,
        o.tokenizer,
        o.adapter,
        o.added,
        o.plan,
        { label: src.label, files },
        encoded,
        runPlan,
        new BatchSampler(encoded, t),
        optimizer,
        dropped,
      );
    } catch (e) {
      o.adapter?.dispose();
      o.model.dispose();
      throw e;
    }
  }

  /** Resumes a checkpoint on the same base (files checked by sha-256) and the same records. */
  static async resume(
    src: ModelSource,
    records: ReflectionRecord[],
    ckpt: { json: string; safetensors: Uint8Array },
  ): Promise<FinetuneRun> {
    const j = parseFinetuneJson(ckpt.json);
    await checkFingerprint(src, j.base.files);
    const run = await FinetuneRun.create(src, records, validateFinetuneConfig(j.config));
    try {
      const { m, v } = await assignTrainable(run.model, run.adapter, parseSafetensors(ckpt.safetensors));
      run.optimizer.importState({ step: j.optimizerStep, m, v });
      run.sampler.setState(j.sampler);
      run.step = j.step;
      run.metrics = j.metrics;
      return run;
    } catch (e) {
      run.dispose();
      throw e;
    }
  }

  get totalSteps(): number {
    return this.runPlan.totalSteps;
  }

  get done(): boolean {
    return this.step >= this.runPlan.totalSteps;
  }

  async trainStep(): Promise<StepReport> {
    const { shapes: _shapes, ...r } = await scheduledStep({
      model: this.model,
      optimizer: this.optimizer,
      encoded: this.encoded,
      sampler: this.sampler,
      train: this.config.train,
      plan: this.runPlan,
      pad: this.tokenizer.pad,
      step: this.step,
      beforeStep: (step) => this.adapter?.beginStep(step),
    });
    this.step = r.step;
    this.metrics.push({ step: r.step, loss: r.loss, lr: r.lr, gradNorm: r.gradNorm, tokens: r.tokens });
    return r;
  }

  /** HF-layout copy of a trainable tensor. */
  private hf(name: string, t: tf.Tensor): tf.Tensor {
    return this.adapter ? this.adapter.toHF(name, t) : this.model.toHF(name, t);
  }

  async checkpoint(): Promise<{ json: string; safetensors: Uint8Array }> {
    const json: FinetuneJson = {
      format: FINETUNE_FORMAT,
      version: 1,
      base: { ...this.base, hfConfig: this.plan.hfConfig },
      config: this.config,
      addedTokens: this.added,
      step: this.step,
      totalSteps: this.totalSteps,
      sampler: this.sampler.getState(),
      optimizerStep: this.optimizer.step,
      metrics: this.metrics,
    };
    const state = await this.optimizer.exportState();
    const out = new Map<string, WritableTensor>();
    for (const [name, v] of this.model.trainable) {
      for (const [prefix, src] of [
        ['', null],
        ['optimizer.m.', state.m[name]!],
        ['optimizer.v.', state.v[name]!],
      ] as const) {
        const t = src ? tf.tensor(src.data, src.shape, 'float32') : v;
        const hf = this.hf(name, t);
        out.set(prefix + name, { shape: hf.shape.slice(), data: (await hf.data()) as Float32Array });
        hf.dispose();
        if (src) t.dispose();
      }
    }
    return {
      json: JSON.stringify(json),
      safetensors: writeSafetensors(out, { format: 'pt', producer: FINETUNE_FORMAT }),
    };
  }

  dispose(): void {
    this.optimizer.dispose();
    if (this.adapter) {
      LoraAdapter.detach(this.model);
      this.adapter.dispose();
    }
    this.model.dispose();
  }
}

/**
 * Sets the trainable variables (adapter, or every parameter in full mode) from a checkpoint's
 * HF-layout tensors and returns the AdamW moments in the parameter layout.
 */
export async function assignTrainable(
  model: LlamaModel,
  adapter: LoraAdapter | null,
  tensors: Map<string, SafeTensor>,
): Promise<{ m: MomentMap; v: MomentMap }> {
  const toStored = (name: string, shape: number[], data: Float32Array) =>
    tf.tidy(() => {
      const hf = tf.tensor(data, shape, 'float32');
      return adapter ? adapter.toHF(name, hf) /* its own inverse: a transpose or a copy */ : model.fromHF(name, hf);
    });
  const m: MomentMap = {};
  const v: MomentMap = {};
  for (const [name, variable] of model.trainable) {
    for (const [prefix, into] of [
      ['', null],
      ['optimizer.m.', m],
      ['optimizer.v.', v],
    ] as const) {
      const t = tensors.get(prefix + name);
      if (!t) {
        if (into) continue; // an export-only reader needs no moments
        throw new CheckpointError(`checkpoint has no ${prefix + name}`);
      }
      const stored = toStored(name, t.shape, t.data as Float32Array);
      if (stored.shape.join(',') !== variable.shape.join(',')) {
        stored.dispose();
        throw new CheckpointError(`checkpoint tensor ${prefix + name}: shape [${t.shape}] does not fit this run`);
      }
      if (into) into[name] = { shape: [...stored.shape], data: (await stored.data()) as Float32Array };
      else variable.assign(stored);
      stored.dispose();
    }
  }
  return { m, v };
}
type MomentMap = Record<string, { shape: number[]; data: Float32Array }>;

/** Base + checkpoint without records or optimizer: what export and generation need. */
export async function openFinetuned(
  src: ModelSource,
  ckpt: { json: string; safetensors: Uint8Array },
  onProgress?: (p: LoadProgress) => void,
) {
  const j = parseFinetuneJson(ckpt.json);
  await checkFingerprint(src, j.base.files);
  const o = await openForFinetune(src, validateFinetuneConfig(j.config), onProgress);
  try {
    await assignTrainable(o.model, o.adapter, parseSafetensors(ckpt.safetensors));
    o.adapter?.attach(o.model, { train: false });
    return { ...o, json: j };
  } catch (e) {
    if (o.adapter) LoraAdapter.detach(o.model);
    o.adapter?.dispose();
    o.model.dispose();
    throw e;
  }
}

export function parseFinetuneJson(text: string): FinetuneJson {
  let j: FinetuneJson;
  try {
    j = JSON.parse(text) as FinetuneJson;
  } catch (e) {
    throw new CheckpointError(`finetune.json is not valid JSON: ${(e as Error).message}`);
  }
  if (j?.format !== FINETUNE_FORMAT || j.version !== 1)
    throw new CheckpointError(
      `not a fine-tuning checkpoint (format ${JSON.stringify(j?.format)}, expected ${FINETUNE_FORMAT} version 1)`,
    );
  return j;
}
