/**
 * This project against the peer trainer @genai-fi/nanogpt 1.3.0 (its v2 model: RoPE, RMSNorm, tied embedding),
 * same shape, same backend (wasm in Node, RCW_WASM_THREADS threads, default 1), same machine, same run.
 *
 * Each side trains a plain next-token step: forward, cross-entropy, gradients of every parameter, AdamW update
 * (this project: paramGrads + clipByGlobalNorm + AdamW as the trainer's step does; the peer: its BasicTrainer's
 * own trainStep). Rounds alternate which side goes first; every side runs BENCH_PEER_STEPS timed steps per round
 * after one untimed warm-up step. tokens/s = batch × block tokens ÷ step time; median and best over every timed
 * step, and the ratios this/peer. The peer runs through bench/peer-glue.ts (benchmark-only kernel glue).
 * Env: BENCH_ROUNDS (default 3), BENCH_PEER_STEPS (default 2).
 */
import * as tf from '@tensorflow/tfjs';
import { loadPeer, type PeerModel, type PeerTrainer } from './peer-glue.ts';
import { matmulGflops, median } from './timing.ts';
import { countParams, type LlamaConfig } from '../src/core/model/config.ts';
import { paramGrads } from '../src/core/model/grads.ts';
import { LlamaModel } from '../src/core/model/llama.ts';
import { nextTokenCrossEntropy } from '../src/core/model/loss.ts';
import { AdamW } from '../src/core/train/adamw.ts';
import { clipByGlobalNorm } from '../src/core/train/grads.ts';
import { disposeNodeBackends, selectNodeBackend } from '../src/platform/node/backend.ts';
import { wasmThreadsInUse } from '../src/platform/wasm-threaded.ts';

interface Shape {
  name: string;
  vocab: number;
  dim: number;
  layers: number;
  heads: number;
  batch: number;
  block: number;
}

const SHAPES: Shape[] = [
  { name: 'issue shape', vocab: 512, dim: 128, layers: 4, heads: 4, batch: 8, block: 128 },
  { name: 'small', vocab: 256, dim: 64, layers: 2, heads: 4, batch: 4, block: 64 },
];

/** One training step; resolves when its loss has been read back (the update is queued before). */
type Step = () => Promise<number>;

function tokens(s: Shape, seed: number): Int32Array {
  return Int32Array.from({ length: s.batch * s.block }, (_, i) => ((i + seed) * 7919) % s.vocab);
}

/** This project: a Llama with the peer's sizes (no grouped-query attention; SwiGLU width ≈ the peer's 4× MLP). */
function ours(s: Shape): { step: Step; params: number; dispose(): void } {
  const config: LlamaConfig = {
    vocabSize: s.vocab,
    dim: s.dim,
    nLayers: s.layers,
    nHeads: s.heads,
    nKvHeads: s.heads,
    ffnDim: Math.round((2 * 4 * s.dim) / 3 / 8) * 8, // 3 matrices of this width ≈ the peer's 2 of 4·dim
    ropeTheta: 10000,
    normEps: 1e-5,
    maxSeqLen: s.block,
    tieEmbeddings: true,
  };
  const model = LlamaModel.init(config, 1);
  const opt = new AdamW(model.params, { beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.01 });
  const ids = tf.tensor2d(tokens(s, 0), [s.batch, s.block], 'int32');
  const mask = tf.onesLike(ids);
  const step: Step = async () => {
    const { value, grads } = paramGrads(model, () => nextTokenCrossEntropy(model.forward(ids), ids, mask));
    const clipped = clipByGlobalNorm(grads, 1);
    opt.apply(clipped.grads, 1e-3);
    const loss = (await value.data())[0]!;
    tf.dispose([value, clipped.norm, ...grads.values(), ...clipped.grads.values()]);
    return loss;
  };
  return {
    step,
    params: countParams(config),
    dispose: () => {
      tf.dispose([ids, mask]);
      opt.dispose();
      model.dispose();
    },
  };
}

async function peer(s: Shape): Promise<{ step: Step; params: number; dispose(): void }> {
  const { peer: mod, Trainer } = await loadPeer();
  const model: PeerModel = new mod.models.NanoGPTV2({
    modelType: 'GenAI_NanoGPT_v2',
    vocabSize: s.vocab,
    blockSize: s.block,
    nLayer: s.layers,
    nHead: s.heads,
    nEmbed: s.dim,
    mlpFactor: 4,
  });
  const trainer: PeerTrainer = new Trainer(model, null, { learningRate: 1e-3 });
  const xs = tf.tensor2d(tokens(s, 0), [s.batch, s.block], 'int32');
  const ys = tf.tensor2d(tokens(s, 1), [s.batch, s.block], 'int32');
  const step: Step = async () => {
    const loss = trainer.trainStep({}, { xs, ys });
    const v = (await loss.data())[0]!;
    loss.dispose();
    return v;
  };
  return {
    step,
    params: model.getNumParams(),
    dispose: () => {
      tf.dispose([xs, ys]);
      trainer.dispose();
      model.dispose();
    },
  };
}

const stats = (ts: number[], n: number) => ({
  medianTokensPerSec: +(n / (median(ts) / 1000)).toFixed(1),
  bestTokensPerSec: +(n / (Math.min(...ts) / 1000)).toFixed(1),
  stepsMs: ts.map((t) => Math.round(t)),
});

async function compare(s: Shape, rounds: number, steps: number) {
  const sides = { ours: ours(s), peer: await peer(s) };
  const times: Record<'ours' | 'peer', number[]> = { ours: [], peer: [] };
  const finalLoss: Record<'ours' | 'peer', number> = { ours: NaN, peer: NaN };
  try {
    for (const k of ['ours', 'peer'] as const) finalLoss[k] = await sides[k].step(); // warm-up
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 ? (['peer', 'ours'] as const) : (['ours', 'peer'] as const);
      for (const k of order)
        for (let i = 0; i < steps; i++) {
          const t0 = performance.now();
          finalLoss[k] = await sides[k].step();
          times[k].push(performance.now() - t0);
        }
    }
  } finally {
    sides.ours.dispose();
    sides.peer.dispose();
  }
  const n = s.batch * s.block;
  const o = stats(times.ours, n);
  const p = stats(times.peer, n);
  const line = {
    shape: `${s.name}: vocab ${s.vocab}, dim ${s.dim}, ${s.layers} layers, ${s.heads} heads, batch ${s.batch} × ${s.block}`,
    params: { ours: sides.ours.params, peer: sides.peer.params },
    ours: { ...o, lastLoss: +finalLoss.ours.toFixed(4) },
    peer: { ...p, lastLoss: +finalLoss.peer.toFixed(4) },
    ratioMedian: +(o.medianTokensPerSec / p.medianTokensPerSec).toFixed(2),
    ratioBest: +(o.bestTokensPerSec / p.bestTokensPerSec).toFixed(2),
  };
  console.error(
    `peer ${s.name}: ours ${o.medianTokensPerSec} (best ${o.bestTokensPerSec}) tokens/s, ` +
      `peer ${p.medianTokensPerSec} (best ${p.bestTokensPerSec}): ×${line.ratioMedian} median, ×${line.ratioBest} best`,
  );
  return line;
}

export async function run(): Promise<object> {
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  const steps = Number(process.env.BENCH_PEER_STEPS ?? 2);
  await selectNodeBackend('wasm');
  try {
    const { kernels } = await loadPeer();
    const matmul = await matmulGflops(512, 10);
    const results = [];
    for (const s of SHAPES) results.push(await compare(s, rounds, steps));
    return {
      name: 'peer',
      when: new Date().toISOString(),
      backend: `wasm (Node, ${wasmThreadsInUse() ?? 1} thread(s))`,
      peer: '@genai-fi/nanogpt 1.3.0, NanoGPTV2, BasicTrainer.trainStep',
      peerKernelsAddedForWasm: kernels,
      matmul512Gflops: +matmul.toFixed(2),
      rounds,
      stepsPerRound: steps,
      results,
    };
  } finally {
    disposeNodeBackends();
  }
}
