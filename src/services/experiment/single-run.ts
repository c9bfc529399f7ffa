/**
 * One cell of the experiment: train a variant for the preset's optimizer steps with one seed, then measure its
 * validation loss and its greedy pass@1 on both test splits through the evaluator (Pyodide, isolated checks).
 */
import * as tf from '@tensorflow/tfjs';
import type { PythonChecker } from '../../api/python.ts';
import type { CheckpointFiles } from '../../api/store.ts';
import { generationRow } from '../../core/distill/rows.ts';
import type { LlamaModel } from '../../core/model/llama.ts';
import { nextTokenCrossEntropy } from '../../core/model/loss.ts';
import type { ReflectionRecord } from '../../core/records/schema.ts';
import { encodeRecords } from '../../core/records/serialize.ts';
import type { BpeTokenizer } from '../../core/tokenizer/bpe.ts';
import { makeHostBatch, batchToTensors, disposeBatch } from '../../core/train/batch.ts';
import { generateTasks, toHumanEval } from '../../core/tasks/generate.ts';
import type { Split } from '../../core/tasks/types.ts';
import { evaluateProblems } from '../eval/evaluate.ts';
import { modelGenerator } from '../eval/model-generator.ts';
import { TrainingRun } from '../trainer/run.ts';
import type { DataParallelPool } from '../trainer/data-parallel.ts';
import { validateRunConfig, type RunConfig } from '../../core/train/run-config.ts';
import { DEMO_DATA_SEED } from './demo-data.ts';
import type { ExperimentPreset } from './presets.ts';
import type { Variant } from './variants.ts';
import type { CellResult, SplitScore } from '../../api/experiment.ts';

export interface ExperimentData {
  /** Instruction records then reflection records, in the shipped order (every variant gets the same list). */
  records: ReflectionRecord[];
  validation: ReflectionRecord[];
}

export type { CellResult, SplitScore } from '../../api/experiment.ts';

export type CellEvent =
  | { type: 'train'; step: number; total: number; loss: number }
  | { type: 'eval'; split: Split; done: number; total: number }
  /** Something the user should know that changes no number (e.g. data-parallel replicas unavailable). */
  | { type: 'note'; message: string };

export function runConfigFor(preset: ExperimentPreset, variant: Variant, seed: number): RunConfig {
  return validateRunConfig({
    preset: preset.model.preset,
    model: preset.model.overrides,
    vocabSize: preset.vocabSize,
    train: { ...preset.train, ...variant.train, seed },
    progressEvery: 1,
    checkpointEvery: 0,
  });
}

/** The test tasks a preset evaluates (seeded subsets, the same for every variant and seed). */
export function evalTasks(preset: ExperimentPreset, split: 'test-seen' | 'test-unseen') {
  const limit = split === 'test-seen' ? preset.evalSeen : preset.evalUnseen;
  return generateTasks({ seed: DEMO_DATA_SEED, split, limit: Number.isFinite(limit) ? limit : undefined });
}

/** Mean next-token CE over the answer tokens of the validation records (teacher targets of generation rows). */
export async function validationLoss(
  model: LlamaModel,
  tok: BpeTokenizer,
  records: readonly ReflectionRecord[],
  maxLen: number,
): Promise<number> {
  const { encoded } = encodeRecords(records, tok, maxLen);
  let sum = 0;
  let count = 0;
  for (const e of encoded) {
    const host = makeHostBatch([], [generationRow(e)], tok.pad);
    const batch = batchToTensors(host);
    const ce = tf.tidy(() =>
      nextTokenCrossEntropy(
        model.forward(batch.inputIds, { positions: batch.positions, keyVisible: batch.keyVisible }),
        batch.inputIds,
        batch.teacherMask,
      ),
    );
    const v = (await ce.data())[0]!;
    ce.dispose();
    disposeBatch(batch);
    sum += v * host.counts.teacher;
    count += host.counts.teacher;
  }
  return count ? sum / count : NaN;
}

async function score(
  model: LlamaModel,
  tok: BpeTokenizer,
  preset: ExperimentPreset,
  split: 'test-seen' | 'test-unseen',
  python: PythonChecker,
  onEvent?: (e: CellEvent) => void,
  signal?: AbortSignal,
): Promise<SplitScore> {
  const tasks = evalTasks(preset, split);
  const gen = modelGenerator(model, tok, { temperature: 0, topP: 1, n: 1, seed: 0, maxNewTokens: preset.maxNewTokens });
  const r = await evaluateProblems(tasks.map(toHumanEval), {
    python,
    generator: gen,
    signal,
    onEvent: (e) => {
      if (e.type === 'sample') onEvent?.({ type: 'eval', split, done: e.done, total: e.total });
    },
  });
  const passedKeys = r.samples.filter((s) => s.passed).map((s) => s.task_id);
  return { passed: passedKeys.length, total: tasks.length, passAt1: passedKeys.length / tasks.length, passedKeys };
}

/** Trains (steps = 0: the untrained model of that seed) and evaluates one variant × seed. */
export async function runCell(opts: {
  preset: ExperimentPreset;
  variant: Variant;
  seed: number;
  data: ExperimentData;
  python: PythonChecker;
  untrained?: boolean;
  /** Receives the trained model's checkpoint (trainer format: `evaluate --model <folder>` loads it). */
  saveCheckpoint?: (files: CheckpointFiles) => Promise<void>;
  onEvent?: (e: CellEvent) => void;
  signal?: AbortSignal;
  /** Data-parallel replicas (services/trainer/data-parallel.ts): the cell trains on them too. */
  pool?: DataParallelPool | null;
}): Promise<CellResult> {
  const { preset, variant, seed } = opts;
  const config = runConfigFor(preset, variant, seed);
  const run = await TrainingRun.create({
    config,
    records: opts.data.records,
    datasets: [],
    name: `${variant.name}@${seed}`,
  });
  try {
    if (opts.pool?.healthy && !opts.untrained)
      await opts.pool.attach(run, (message) => opts.onEvent?.({ type: 'note', message }));
    const t0 = performance.now();
    const curve: CellResult['curve'] = [];
    const steps = opts.untrained ? 0 : run.totalSteps;
    let window: number[] = [];
    for (let s = 0; s < steps; s++) {
      opts.signal?.throwIfAborted();
      const r = await run.trainStep();
      window.push(r.loss);
      if ((s + 1) % preset.curveEvery === 0 || s === steps - 1) {
        curve.push({ step: s + 1, loss: window.reduce((a, b) => a + b, 0) / window.length });
        window = [];
      }
      opts.onEvent?.({ type: 'train', step: s + 1, total: steps, loss: r.loss });
      // Let a browser worker answer messages (progress, stop) between steps.
      await new Promise((res) => setTimeout(res, 0));
    }
    const trainSec = (performance.now() - t0) / 1000;
    if (opts.saveCheckpoint && !opts.untrained) await opts.saveCheckpoint(await run.checkpoint(trainSec));
    const e0 = performance.now();
    const valLoss = await validationLoss(run.model, run.tokenizer, opts.data.validation, config.train.maxLen);
    const seen = await score(run.model, run.tokenizer, preset, 'test-seen', opts.python, opts.onEvent, opts.signal);
    const unseen = await score(run.model, run.tokenizer, preset, 'test-unseen', opts.python, opts.onEvent, opts.signal);
    return {
      variant: opts.untrained ? 'untrained' : variant.name,
      seed,
      steps,
      seen,
      unseen,
      valLoss,
      curve,
      trainSec,
      evalSec: (performance.now() - e0) / 1000,
    };
  } finally {
    run.dispose();
  }
}

/** The reference row: the reference solutions as completions (must be 100%: the harness sanity check). */
export async function referenceCell(preset: ExperimentPreset, python: PythonChecker): Promise<CellResult> {
  const e0 = performance.now();
  const one = async (split: 'test-seen' | 'test-unseen'): Promise<SplitScore> => {
    const tasks = evalTasks(preset, split);
    const r = await evaluateProblems(tasks.map(toHumanEval), { python });
    const passedKeys = r.samples.filter((s) => s.passed).map((s) => s.task_id);
    return { passed: passedKeys.length, total: tasks.length, passAt1: passedKeys.length / tasks.length, passedKeys };
  };
  const seen = await one('test-seen');
  const unseen = await one('test-unseen');
  return {
    variant: 'reference',
    seed: 0,
    steps: 0,
    seen,
    unseen,
    valLoss: null,
    curve: [],
    trainSec: 0,
    evalSec: (performance.now() - e0) / 1000,
  };
}
