/**
 * Where a training step's time goes on wasm (Node), from tfjs's profiler (tf.profile: every kernel
 * with its input/output shapes and time). Two kinds of step, each: a warm-up, BENCH_PROFILE_STEPS (default 3)
 * timed steps, each right after its own 512×512 matmul measurement (efficiency = the step's FLOP/s ÷ that rate,
 * median over the steps: the shared machine's load changes by the second), then one step under the profiler:
 *   - the distillation step of the smoke preset (TrainingRun on the built-in demo data),
 *   - the distillation step of the experiment's demo preset (the mini model, vocabulary 1024, 2 records), and
 *   - the plain next-token step of `mini` (batch 4 × 128).
 * Kernels are grouped by what they compute, from their shapes:
 *   attention  — anything with a [.., T, T] operand (scores, softmax, bias, probs·V) or the
 *                batched per-head matmuls and their reshapes/transposes;
 *   head       — anything with a vocabulary-sized dimension (output head, log-softmax, CE/KL);
 *   linear     — 2-D matmuls over the token rows (q/k/v/o, gate/up/down) and their transposes;
 *   optimizer  — kernels whose tensors are all parameter-shaped (AdamW, clipping, accumulation);
 *   other      — norms, RoPE, SwiGLU, embedding, residual adds.
 * Prints each group's share and the ten most expensive kernels. Numbers only.
 */
import * as tf from '@tensorflow/tfjs';
import { matmulGflops, median } from './timing.ts';
import { demoRecords } from '../src/core/data/demo-records.ts';
import { MODEL_PRESETS, type LlamaConfig } from '../src/core/model/config.ts';
import { paramGrads } from '../src/core/model/grads.ts';
import { LlamaModel } from '../src/core/model/llama.ts';
import { nextTokenCrossEntropy } from '../src/core/model/loss.ts';
import { disposeNodeBackends, selectNodeBackend } from '../src/platform/node/backend.ts';
import { defaultRunConfig, validateRunConfig, type RunConfig } from '../src/core/train/run-config.ts';
import { EXPERIMENT_PRESETS } from '../src/services/experiment/presets.ts';
import { TrainingRun } from '../src/services/trainer/run.ts';

type Group = 'attention' | 'head' | 'linear' | 'optimizer' | 'other';
interface KernelInfo {
  name: string;
  inputShapes: number[][];
  outputShapes: number[][];
  kernelTimeMs: number | { error: string };
}

/** Which part of the step a kernel belongs to, from its shapes (see the header). */
export function classify(k: KernelInfo, c: LlamaConfig, paramShapes: Set<string>): Group {
  const shapes = [...k.inputShapes, ...k.outputShapes].filter((s) => s && s.length);
  if (shapes.some((s) => s.includes(c.vocabSize))) return 'head';
  if (shapes.every((s) => paramShapes.has(s.join('x')) || s.length <= 1)) return 'optimizer';
  const hd = c.dim / c.nHeads;
  const modelDims = new Set([c.dim, c.nKvHeads * hd, c.ffnDim, 1]);
  // Attention: a per-head size, or two sequence-sized dimensions (scores, probabilities, bias).
  const attention = (s: number[]) => s.length === 4 || s.includes(hd) || s.filter((d) => !modelDims.has(d)).length >= 2;
  if (shapes.some(attention)) return 'attention';
  if (/MatMul|Transpose/.test(k.name)) return 'linear';
  return 'other';
}

function summarise(kernels: KernelInfo[], c: LlamaConfig, params: Iterable<tf.Variable>, wall: Wall) {
  const paramShapes = new Set([...params].map((v) => v.shape.join('x')));
  const groups: Record<Group, number> = { attention: 0, head: 0, linear: 0, optimizer: 0, other: 0 };
  const byKernel = new Map<string, { ms: number; calls: number; group: Group }>();
  let total = 0;
  let matmulMs = 0;
  let matmulFlops = 0;
  for (const k of kernels) {
    // customGrad's wrappers ("unnamed scope") time the kernels inside them again: leave them out.
    if (k.name === 'unnamed scope') continue;
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    if (k.name === 'BatchMatMul' || k.name === '_FusedMatMul') {
      matmulMs += ms;
      matmulFlops += matmulKernelFlops(k.inputShapes[0]!, k.inputShapes[1]!);
    }
    const g = classify(k, c, paramShapes);
    groups[g] += ms;
    total += ms;
    const key = `${k.name} [${k.inputShapes.map((s) => s?.join('×')).join(', ')}] (${g})`;
    const e = byKernel.get(key) ?? { ms: 0, calls: 0, group: g };
    e.ms += ms;
    e.calls++;
    byKernel.set(key, e);
  }
  const pct = (x: number) => +((100 * x) / total).toFixed(1);
  // Each step's efficiency against the matmul rate measured just before it; median over the steps.
  const effs = wall.stepsMs.map((ms, i) => (wall.flops[i]! / (ms / 1000) / 1e9 / wall.matmulGflops[i]!) * 100);
  return {
    wallMs: +median(wall.stepsMs).toFixed(1),
    stepsMs: wall.stepsMs.map((ms) => Math.round(ms)),
    kernelMs: +total.toFixed(1),
    kernels: kernels.length,
    efficiency: `${median(effs).toFixed(1)}% of the 512×512 matmul rate (median of ${effs.length} steps: ${effs
      .map((e) => e.toFixed(1))
      .join(', ')}; matmul ${wall.matmulGflops.map((g) => g.toFixed(1)).join(', ')} GFLOP/s)`,
    // The least disturbed figures of each: the fastest step against the fastest matmul measurement.
    efficiencyBest: `${((Math.max(...wall.stepsMs.map((ms, i) => wall.flops[i]! / (ms / 1000) / 1e9)) / Math.max(...wall.matmulGflops)) * 100).toFixed(1)}% (best step ÷ best matmul)`,
    // Under the profiler: how much of the kernel time is matmul, and the rate those matmuls reach on their own
    // shapes, timed one by one under the profiler (on a loaded machine well below what they reach on their own).
    matmulKernels: `${pct(matmulMs)}% of kernel time, at ${(matmulFlops / (matmulMs / 1000) / 1e9).toFixed(2)} GFLOP/s`,
    sharePct: Object.fromEntries(Object.entries(groups).map(([g, ms]) => [g, pct(ms)])),
    top: [...byKernel.entries()]
      .sort((a, b) => b[1].ms - a[1].ms)
      .slice(0, 10)
      .map(([key, e]) => `${e.ms.toFixed(1)} ms ×${e.calls} ${key}`),
  };
}

/** FLOPs of a (batched) matmul from its input shapes, whichever operand is transposed. */
function matmulKernelFlops(a: number[], b: number[]): number {
  const [m0, k0] = a.slice(-2) as [number, number];
  const [k1, n1] = b.slice(-2) as [number, number];
  const batch = a.slice(0, -2).reduce((x, y) => x * y, 1);
  if (k0 === k1) return 2 * batch * m0 * k0 * n1; // a · b
  if (k0 === n1) return 2 * batch * m0 * k0 * k1; // a · bᵀ
  return 2 * batch * k0 * m0 * n1; // aᵀ · b
}

function forwardFlops(c: LlamaConfig, rows: number, t: number): number {
  const kvDim = c.nKvHeads * (c.dim / c.nHeads);
  const linear = c.nLayers * (2 * c.dim * c.dim + 2 * c.dim * kvDim + 3 * c.dim * c.ffnDim) + c.vocabSize * c.dim;
  return rows * (2 * t * linear + c.nLayers * 4 * t * t * c.dim);
}

interface Wall {
  stepsMs: number[];
  /** The 512×512 matmul rate measured right before each step (the shared machine's load changes by the second). */
  matmulGflops: number[];
  /** Matmul FLOPs of each step (distillation batches differ in shape from step to step). */
  flops: number[];
}

const STEPS = Number(process.env.BENCH_PROFILE_STEPS ?? 3);

/** A warm-up, STEPS unprofiled steps each after its own matmul measurement, then one step under tf.profile. */
async function profiled(fn: () => Promise<number>): Promise<{ kernels: KernelInfo[]; wall: Wall }> {
  await fn(); // warm-up
  const wall: Wall = { stepsMs: [], matmulGflops: [], flops: [] };
  for (let i = 0; i < STEPS; i++) {
    wall.matmulGflops.push(await matmulGflops(512, 3, { stat: 'median' }));
    const t0 = performance.now();
    wall.flops.push(await fn());
    wall.stepsMs.push(performance.now() - t0);
  }
  const info = await tf.profile(fn);
  return { kernels: info.kernels as unknown as KernelInfo[], wall };
}

/** One distillation step of a TrainingRun on the built-in demo data, profiled (see profiled). */
async function distillProfile(config: RunConfig, label: string) {
  const trun = await TrainingRun.create({ config, records: demoRecords(), datasets: [], name: 'profile' });
  const shapes: string[] = [];
  try {
    const p = await profiled(async () => {
      const s = (await trun.trainStep()).shapes;
      shapes.push(JSON.stringify(s));
      return s.reduce((sum, [r, t]) => sum + 3 * forwardFlops(trun.model.config, r, t), 0);
    });
    return {
      step: `${label}, padded shapes per step ${shapes.join(' ')}`,
      ...summarise(p.kernels, trun.model.config, trun.model.params.values(), p.wall),
    };
  } finally {
    trun.dispose();
  }
}

export async function run(): Promise<object> {
  await selectNodeBackend('wasm');
  try {
    // 1) Distillation step, smoke preset, demo data.
    const smoke = defaultRunConfig('smoke');
    const distill = await distillProfile(
      validateRunConfig({ ...smoke, train: { ...smoke.train, maxSteps: 10, seed: 1 } }),
      'distillation, smoke preset',
    );
    // 1b) The experiment's demo preset (src/services/experiment/presets.ts): the mini model, vocabulary 1024,
    // maxLen 768, micro-batches of 2 records (one micro-batch per step here).
    const demo = EXPERIMENT_PRESETS.demo;
    const distillDemo = await distillProfile(
      validateRunConfig({
        preset: demo.model.preset,
        model: demo.model.overrides,
        vocabSize: demo.vocabSize,
        train: { ...demo.train, gradAccumSteps: 1, maxSteps: 10, seed: 1 },
        progressEvery: 1,
        checkpointEvery: 0,
      }),
      'distillation, experiment demo preset (mini, vocab 1024, 2 records per micro-batch)',
    );
    // 2) Plain next-token step, mini, batch 4 × 128 (loss + gradients, no optimizer).
    const c = MODEL_PRESETS.mini;
    const model = LlamaModel.init(c, 1);
    const ids = tf.tensor2d(
      Int32Array.from({ length: 4 * 128 }, (_, i) => (i * 7919) % c.vocabSize),
      [4, 128],
      'int32',
    );
    const mask = tf.onesLike(ids);
    let plain;
    try {
      const p = await profiled(async () => {
        const { value, grads } = paramGrads(model, () => nextTokenCrossEntropy(model.forward(ids), ids, mask));
        await value.data();
        tf.dispose([value, ...grads.values()]);
        return 3 * forwardFlops(c, 4, 128);
      });
      plain = {
        step: 'next-token loss + gradients, mini, batch 4 × 128',
        ...summarise(p.kernels, c, model.params.values(), p.wall),
      };
    } finally {
      tf.dispose([ids, mask]);
      model.dispose();
    }
    return {
      name: 'profile',
      when: new Date().toISOString(),
      backend: 'wasm (Node, 1 thread)',
      distill,
      distillDemo,
      plain,
    };
  } finally {
    disposeNodeBackends();
  }
}
