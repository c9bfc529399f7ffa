/**
 * Where a training step's time goes on wasm (Node), from tfjs's profiler (tf.profile: every kernel
 * with its input/output shapes and time). Two steps, after a warm-up:
 *   - the distillation step of the smoke preset (TrainingRun on the built-in demo data), and
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
import { matmulGflops } from './timing.ts';
import { demoRecords } from '../src/core/data/demo-records.ts';
import { MODEL_PRESETS, type LlamaConfig } from '../src/core/model/config.ts';
import { paramGrads } from '../src/core/model/grads.ts';
import { LlamaModel } from '../src/core/model/llama.ts';
import { nextTokenCrossEntropy } from '../src/core/model/loss.ts';
import { disposeNodeBackends, selectNodeBackend } from '../src/platform/node/backend.ts';
import { defaultRunConfig, validateRunConfig } from '../src/core/train/run-config.ts';
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

function summarise(
  kernels: KernelInfo[],
  c: LlamaConfig,
  params: Iterable<tf.Variable>,
  wallMs: number,
  flops: number,
  matmulGf: number,
) {
  const paramShapes = new Set([...params].map((v) => v.shape.join('x')));
  const groups: Record<Group, number> = { attention: 0, head: 0, linear: 0, optimizer: 0, other: 0 };
  const byKernel = new Map<string, { ms: number; calls: number; group: Group }>();
  let total = 0;
  for (const k of kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
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
  return {
    wallMs: +wallMs.toFixed(1),
    kernelMs: +total.toFixed(1),
    kernels: kernels.length,
    efficiency: `${((flops / (wallMs / 1000) / 1e9 / matmulGf) * 100).toFixed(1)}% of the 512×512 matmul rate (${matmulGf.toFixed(2)} GFLOP/s)`,
    sharePct: Object.fromEntries(Object.entries(groups).map(([g, ms]) => [g, pct(ms)])),
    top: [...byKernel.entries()]
      .sort((a, b) => b[1].ms - a[1].ms)
      .slice(0, 10)
      .map(([key, e]) => `${e.ms.toFixed(1)} ms ×${e.calls} ${key}`),
  };
}

function forwardFlops(c: LlamaConfig, rows: number, t: number): number {
  const kvDim = c.nKvHeads * (c.dim / c.nHeads);
  const linear = c.nLayers * (2 * c.dim * c.dim + 2 * c.dim * kvDim + 3 * c.dim * c.ffnDim) + c.vocabSize * c.dim;
  return rows * (2 * t * linear + c.nLayers * 4 * t * t * c.dim);
}

async function profiled(fn: () => Promise<void>): Promise<{ kernels: KernelInfo[]; wallMs: number }> {
  await fn(); // warm-up
  const t0 = performance.now();
  await fn();
  const wallMs = performance.now() - t0;
  const info = await tf.profile(fn);
  return { kernels: info.kernels as unknown as KernelInfo[], wallMs };
}

export async function run(): Promise<object> {
  await selectNodeBackend('wasm');
  try {
    const matmul = await matmulGflops(512, 10, { stat: 'median' });
    // 1) Distillation step, smoke preset, demo data.
    const config = validateRunConfig({
      ...defaultRunConfig('smoke'),
      train: { ...defaultRunConfig('smoke').train, maxSteps: 10, seed: 1 },
    });
    const trun = await TrainingRun.create({ config, records: demoRecords(), datasets: [], name: 'profile' });
    let shapes: [number, number][] = [];
    let distill;
    try {
      const p = await profiled(async () => {
        shapes = (await trun.trainStep()).shapes;
      });
      const flops = shapes.reduce((s, [r, t]) => s + 3 * forwardFlops(trun.model.config, r, t), 0);
      distill = {
        step: `distillation, smoke preset, padded shapes ${JSON.stringify(shapes)}`,
        ...summarise(p.kernels, trun.model.config, trun.model.params.values(), p.wallMs, flops, matmul),
      };
    } finally {
      trun.dispose();
    }
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
      });
      plain = {
        step: 'next-token loss + gradients, mini, batch 4 × 128',
        ...summarise(p.kernels, c, model.params.values(), p.wallMs, 3 * forwardFlops(c, 4, 128), matmul),
      };
    } finally {
      tf.dispose([ids, mask]);
      model.dispose();
    }
    return { name: 'profile', when: new Date().toISOString(), backend: 'wasm (Node, 1 thread)', distill, plain };
  } finally {
    disposeNodeBackends();
  }
}
