/**
 * One training run: tokenizer + encoded records + model + AdamW + sampler, stepped by scheduledStep
 * (scheduled-step.ts; docs/METHOD.md §3–5). Everything that decides the numbers is seeded and saved
 * in the checkpoint (model weights, AdamW moments and step, sampler order/cursor/RNG state; the mask RNG is derived
 * from the step), so 10 steps + checkpoint + restore + 10 steps equals 20 steps bit for bit.
 * Only host reads are `await data()` (never dataSync: it breaks the webgpu backend).
 */
import * as tf from '@tensorflow/tfjs';
import type { TrainProgress } from '../../api/trainer.ts';
import { CheckpointError } from '../../core/errors.ts';
import { LlamaModel } from '../../core/model/llama.ts';
import { encodeRecords, type EncodedRecord } from '../../core/records/serialize.ts';
import type { ReflectionRecord } from '../../core/records/schema.ts';
import { BpeTokenizer } from '../../core/tokenizer/bpe.ts';
import { AdamW, type AdamWState } from '../../core/train/adamw.ts';
import { BatchSampler, planRun, type RunPlan, type SamplerState } from '../../core/train/recipe.ts';
import type { CheckpointFiles } from '../../api/store.ts';
import {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  parseCheckpoint,
  serializeCheckpoint,
  toTensor,
  type CheckpointJson,
  type DatasetRef,
} from './checkpoint.ts';
import { modelConfigFor, validateRunConfig, type RunConfig } from '../../core/train/run-config.ts';
import { yieldToEventLoop } from '../../platform/yield.ts';
import { scheduledStep, type StepResult } from './scheduled-step.ts';
import { localRunner, type GradientRunner } from '../../core/train/step.ts';

/** Every text the tokenizer should learn from: the block contents (special tokens are fixed ids). */
function* recordTexts(records: readonly ReflectionRecord[]): Iterable<string> {
  for (const r of records) for (const m of r.messages) for (const b of m.content) yield b.content;
}

export interface FreshRunInput {
  config: RunConfig;
  records: ReflectionRecord[];
  datasets: DatasetRef[];
  name: string;
  /** Awaited between tokenizer-training chunks, so a worker stays responsive. */
  onTokenizerProgress?: (merges: number, target: number) => void | Promise<void>;
  /** Yield to the event loop between tokenizer-training chunks (default: src/platform/yield.ts). */
  yieldFn?: () => Promise<void>;
}

export class TrainingRun {
  /** Optimizer steps completed. */
  step = 0;
  metrics: TrainProgress[] = [];
  /** Seconds spent in steps by previous sessions of this run (restored from the checkpoint). */
  elapsedBefore = 0;
  /** Who computes the gradients: this instance, or a data-parallel pool (data-parallel.ts) set by the service. */
  runner: GradientRunner = localRunner;

  private constructor(
    readonly config: RunConfig,
    readonly tokenizer: BpeTokenizer,
    readonly encoded: EncodedRecord[],
    readonly plan: RunPlan,
    readonly model: LlamaModel,
    readonly optimizer: AdamW,
    readonly sampler: BatchSampler,
    readonly datasets: DatasetRef[],
    public name: string,
    /** Records dropped for being longer than train.maxLen. */
    readonly dropped: number,
  ) {}

  get totalSteps(): number {
    return this.plan.totalSteps;
  }

  get done(): boolean {
    return this.step >= this.plan.totalSteps;
  }

  /** Starts fresh: trains the tokenizer on the records, encodes them, initialises model + optimizer. */
  static async create(input: FreshRunInput): Promise<TrainingRun> {
    const { config } = input;
    const tokenizer = await BpeTokenizer.trainAsync(recordTexts(input.records), config.vocabSize, {
      onProgress: (p) => input.onTokenizerProgress?.(p.merges, p.targetMerges),
      yieldFn: input.yieldFn ?? yieldToEventLoop,
    });
    return TrainingRun.assemble(config, tokenizer, input.records, input.datasets, input.name, null);
  }

  /** Restores a checkpoint's run exactly (the records must be the same datasets it was trained on). */
  static async restore(files: CheckpointFiles, records: ReflectionRecord[]): Promise<TrainingRun> {
    const parsed = parseCheckpoint(files);
    const j = parsed.json;
    const config = validateRunConfig(legacyRunConfig(j.runConfig));
    const tokenizer = BpeTokenizer.fromJSON(j.tokenizer);
    const run = TrainingRun.assemble(config, tokenizer, records, j.datasets, j.name, parsed);
    try {
      if (run.plan.totalSteps !== j.totalSteps) {
        throw new CheckpointError(
          `checkpoint plans ${j.totalSteps} steps but its datasets now give ${run.plan.totalSteps}: were the datasets changed?`,
        );
      }
      run.optimizer.importState(await momentsFromHF(run.model, parsed, (j.optimizer as { step?: number }).step ?? 0));
      run.sampler.setState(j.data as SamplerState);
      run.step = j.step;
      run.metrics = j.metrics;
      run.elapsedBefore = j.elapsedSec;
    } catch (e) {
      run.dispose();
      throw e;
    }
    return run;
  }

  private static assemble(
    config: RunConfig,
    tokenizer: BpeTokenizer,
    records: ReflectionRecord[],
    datasets: DatasetRef[],
    name: string,
    parsed: ReturnType<typeof parseCheckpoint> | null,
  ): TrainingRun {
    const t = config.train;
    const { encoded, dropped } = encodeRecords(records, tokenizer, t.maxLen);
    const plan = planRun(encoded, t);
    const sampler = new BatchSampler(encoded, t);
    const modelConfig = modelConfigFor(config, tokenizer.vocabSize);
    let model: LlamaModel;
    if (parsed) {
      const tensors = new Map([...parsed.weights].map(([n, st]) => [n, toTensor(st)]));
      try {
        model = LlamaModel.fromHFTensors(modelConfig, tensors);
      } finally {
        tf.dispose([...tensors.values()]);
      }
    } else {
      model = LlamaModel.init(modelConfig, t.seed);
    }
    const optimizer = new AdamW(model.params, {
      beta1: t.beta1,
      beta2: t.beta2,
      eps: t.eps,
      weightDecay: t.weightDecay,
    });
    return new TrainingRun(config, tokenizer, encoded, plan, model, optimizer, sampler, datasets, name, dropped);
  }

  /** One optimizer step: gradAccumSteps micro-batches, clip, AdamW with the scheduled lr. */
  async trainStep(): Promise<StepResult> {
    const r = await scheduledStep({
      model: this.model,
      optimizer: this.optimizer,
      encoded: this.encoded,
      sampler: this.sampler,
      train: this.config.train,
      plan: this.plan,
      pad: this.tokenizer.pad,
      step: this.step,
      runner: this.runner,
    });
    this.step = r.step;
    return r;
  }

  /** Fractional epochs consumed. */
  get epochProgress(): number {
    return this.sampler.epochProgress;
  }

  /** Checkpoint bytes for the current state (weights, moments, sampler, metrics). */
  async checkpoint(elapsedSec: number): Promise<CheckpointFiles> {
    const json: CheckpointJson = {
      format: CHECKPOINT_FORMAT,
      version: CHECKPOINT_VERSION,
      savedAt: new Date().toISOString(),
      name: this.name,
      runConfig: this.config,
      modelConfig: this.model.config,
      tokenizer: this.tokenizer.toJSON(),
      datasets: this.datasets,
      step: this.step,
      totalSteps: this.plan.totalSteps,
      data: this.sampler.getState(),
      optimizer: { step: this.optimizer.step },
      metrics: this.metrics,
      elapsedSec,
    };
    const weights = new Map<string, tf.Tensor>();
    const moments = new Map<string, { m: tf.Tensor; v: tf.Tensor }>();
    try {
      for (const [name, v] of this.model.params) weights.set(name, this.model.toHF(name, v));
      const state = await this.optimizer.exportState();
      for (const name of this.model.params.keys()) {
        const m = state.m[name]!;
        const v = state.v[name]!;
        moments.set(name, {
          m: tf.tidy(() => this.model.toHF(name, tf.tensor(m.data, m.shape, 'float32'))),
          v: tf.tidy(() => this.model.toHF(name, tf.tensor(v.data, v.shape, 'float32'))),
        });
      }
      return await serializeCheckpoint(json, weights, moments);
    } finally {
      tf.dispose([...weights.values(), ...[...moments.values()].flatMap((x) => [x.m, x.v])]);
    }
  }

  dispose(): void {
    this.optimizer.dispose();
    this.model.dispose();
  }
}

/**
 * A checkpoint written before `train.objective` existed was trained with the per-term objective (and
 * mixed batching, then the only one): it resumes with that objective, not the new default.
 */
export function legacyRunConfig(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null) return raw;
  const r = raw as Record<string, unknown>;
  const train = r.train;
  if (typeof train !== 'object' || train === null || 'objective' in train) return raw;
  return { ...r, train: { ...(train as object), objective: 'per-term' } };
}

/** HF-layout moments from a checkpoint → AdamW state in the model's parameter layout. */
async function momentsFromHF(
  model: LlamaModel,
  parsed: ReturnType<typeof parseCheckpoint>,
  step: number,
): Promise<AdamWState> {
  const state: AdamWState = { step, m: {}, v: {} };
  for (const [name, p] of model.params) {
    const mv = parsed.moments.get(name);
    for (const which of ['m', 'v'] as const) {
      if (!mv) {
        // A checkpoint written before the first step has all-zero moments.
        if (step > 0) throw new CheckpointError(`checkpoint has no optimizer moments for ${name}`);
        state[which][name] = { shape: [...p.shape], data: new Float32Array(p.size) };
        continue;
      }
      const hf = toTensor(mv[which]);
      const t = model.fromHF(name, hf);
      hf.dispose();
      if (t.shape.join(',') !== p.shape.join(',')) {
        t.dispose();
        throw new CheckpointError(
          `optimizer moment ${which} of ${name}: expected shape [${p.shape}] after layout conversion, found [${t.shape}]`,
        );
      }
      state[which][name] = { shape: [...t.shape], data: (await t.data()) as Float32Array };
      t.dispose();
    }
  }
  return state;
}
