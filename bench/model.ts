/**
 * Model benchmarks, per backend (cpu, wasm, and webgpu-on-SwiftShader when BENCH_WEBGPU=1):
 * - the backend's 512×512 matmul GFLOP/s (the yardstick), plain and with a transposed operand;
 * - decode tokens/s for 256 new tokens with and without the KV cache;
 * - one training step (loss + gradients of every parameter): tokens/s and efficiency =
 *   achieved FLOP/s ÷ the measured matmul FLOP/s.
 * `run()` returns plain JSON; `npm run bench -- model` runs it and writes
 * bench-results/model.json. No assertions: numbers only.
 */
import * as tf from '@tensorflow/tfjs';
import { matmulGflops, perNodeBackend, timeIt } from './timing.ts';
import type { BackendName } from '../src/api/backend.ts';
import { countParams, headDim, MODEL_PRESETS, type LlamaConfig } from '../src/core/model/config.ts';
import { generate } from '../src/core/model/generate.ts';
import { paramGrads } from '../src/core/model/grads.ts';
import { LlamaModel } from '../src/core/model/llama.ts';
import { nextTokenCrossEntropy } from '../src/core/model/loss.ts';
import { selectNodeBackend } from '../src/platform/node/backend.ts';

const DECODE_TOKENS = 256;

/** Matmul FLOPs of one forward over [B, T] tokens: every linear (incl. output head) + QKᵀ and AV. */
function forwardFlops(c: LlamaConfig, b: number, t: number): number {
  const kvDim = c.nKvHeads * headDim(c);
  const linearParams = c.nLayers * (2 * c.dim * c.dim + 2 * c.dim * kvDim + 3 * c.dim * c.ffnDim) + c.vocabSize * c.dim;
  const attention = c.nLayers * 2 * 2 * t * t * c.dim; // scores and weighted values, full T×T as computed
  return b * (2 * t * linearParams + attention);
}

async function decode(model: LlamaModel, useCache: boolean): Promise<number> {
  const t0 = performance.now();
  const ids = await generate(model, [1], { maxNewTokens: DECODE_TOKENS, useCache });
  return ids.length / ((performance.now() - t0) / 1000);
}

async function trainStep(config: LlamaConfig, b: number, t: number, reps: number) {
  const model = LlamaModel.init(config, 1);
  const data = Int32Array.from({ length: b * t }, (_, i) => (i * 7919) % config.vocabSize);
  const ids = tf.tensor2d(data, [b, t], 'int32');
  const mask = tf.onesLike(ids);
  const { median: ms, min } = await timeIt(async () => {
    const { value, grads } = paramGrads(model, () => nextTokenCrossEntropy(model.forward(ids), ids, mask));
    await value.data();
    tf.dispose([value, ...grads.values()]);
  }, reps);
  tf.dispose([ids, mask]);
  model.dispose();
  const flops = 3 * forwardFlops(config, b, t);
  return {
    medianMs: +ms.toFixed(1),
    bestMs: +min.toFixed(1),
    tokensPerSec: +((b * t) / (ms / 1000)).toFixed(1),
    bestGflops: +(flops / (min / 1000) / 1e9).toFixed(3),
  };
}

async function benchBackend(backend: BackendName) {
  await selectNodeBackend(backend);
  const slow = backend !== 'wasm';
  const matmul512 = await matmulGflops(512, slow ? 3 : 10, { stat: 'best' });
  const matmul512TransposedB = await matmulGflops(512, slow ? 3 : 10, { transposeB: true, stat: 'best' });
  const out: Record<string, unknown> = {
    backend,
    matmul512Gflops: +matmul512.toFixed(3),
    matmul512TransposedBGflops: +matmul512TransposedB.toFixed(3),
  };
  if (backend !== 'webgpu') {
    // Decode: smoke preset (dim 64, 2 layers) with room for 257 positions.
    const model = LlamaModel.init({ ...MODEL_PRESETS.smoke, maxSeqLen: 512 }, 1);
    await decode(model, true); // warm-up
    // Best of two runs each (see timeIt on why best).
    const cached = Math.max(await decode(model, true), await decode(model, true));
    const recompute = Math.max(await decode(model, false), await decode(model, false));
    model.dispose();
    out.decode = {
      model: 'smoke (dim 64, 2 layers, vocab 512)',
      tokens: DECODE_TOKENS,
      withCacheTokensPerSec: +cached.toFixed(1),
      recomputeTokensPerSec: +recompute.toFixed(1),
      cacheSpeedup: +(cached / recompute).toFixed(2),
    };
    if (backend === 'wasm') {
      // The generation-sized model, cache only (recompute would take about a minute).
      const small = LlamaModel.init(MODEL_PRESETS.small, 1);
      await generate(small, [1], { maxNewTokens: 8 });
      (out.decode as Record<string, unknown>).smallWithCacheTokensPerSec = +(await decode(small, true)).toFixed(1);
      small.dispose();
    }
  }
  const runs: [string, LlamaConfig, number, number][] = [['smoke', MODEL_PRESETS.smoke, 4, 64]];
  if (backend === 'wasm') runs.push(['mini', MODEL_PRESETS.mini, 4, 128]);
  const train: Record<string, unknown>[] = [];
  for (const [name, config, b, t] of runs) {
    const r = await trainStep(config, b, t, slow ? 3 : 8);
    train.push({
      model: name,
      params: countParams(config),
      batch: [b, t],
      ...r,
      efficiency: +((r.bestGflops / matmul512) * 100).toFixed(1) + '%',
    });
  }
  out.trainStep = train;
  return out;
}

export function run(): Promise<object> {
  return perNodeBackend('model', (b) => benchBackend(b));
}
