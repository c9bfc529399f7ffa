/**
 * Training benchmark with the reflection self-distillation loss (teacher + student rows, CE + KL),
 * through the trainer's own TrainingRun on the built-in demo data with the smoke preset's run
 * defaults, per backend (cpu, wasm; webgpu-on-SwiftShader when BENCH_WEBGPU=1):
 * - training tokens/s (non-padding tokens of teacher and student rows);
 * - efficiency = achieved FLOP/s ÷ the backend's 512×512 matmul FLOP/s, with FLOPs counted on the
 *   padded shapes the step computed (3 × forward: every linear incl. the head, QKᵀ and AV).
 * `run()` returns plain JSON; `npm run bench -- train` runs it and writes
 * bench-results/train.json. Numbers only, no assertions.
 */
import { matmulGflops, perNodeBackend } from './timing.ts';
import type { BackendName } from '../src/api/backend.ts';
import { demoRecords } from '../src/core/data/demo-records.ts';
import { countParams, headDim, type LlamaConfig } from '../src/core/model/config.ts';
import { selectNodeBackend } from '../src/platform/node/backend.ts';
import { defaultRunConfig, validateRunConfig } from '../src/core/train/run-config.ts';
import { TrainingRun } from '../src/services/trainer/run.ts';

/** Forward matmul FLOPs of `rows` rows of length `t`. */
function forwardFlops(c: LlamaConfig, rows: number, t: number): number {
  const kvDim = c.nKvHeads * headDim(c);
  const linear = c.nLayers * (2 * c.dim * c.dim + 2 * c.dim * kvDim + 3 * c.dim * c.ffnDim) + c.vocabSize * c.dim;
  const attention = c.nLayers * 2 * 2 * t * t * c.dim;
  return rows * (2 * t * linear + attention);
}

async function benchBackend(backend: BackendName, preset: string) {
  await selectNodeBackend(backend);
  const slow = backend !== 'wasm';
  const matmul = await matmulGflops(512, slow ? 3 : 10);
  // cpu steps take ~45 s here (PLATFORM.md: its embedding gradient is O(vocab·tokens·dim)): one is enough.
  const steps = backend === 'cpu' ? 1 : slow ? 2 : 6;
  const config = validateRunConfig({
    ...defaultRunConfig(preset),
    train: { ...defaultRunConfig(preset).train, maxSteps: steps + 1, seed: 1 },
  });
  const run = await TrainingRun.create({ config, records: demoRecords(), datasets: [], name: 'bench' });
  try {
    if (backend !== 'cpu') await run.trainStep(); // warm-up: kernel/shader compilation, wasm memory growth
    let tokens = 0;
    let flops = 0;
    let seconds = 0;
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      const r = await run.trainStep();
      seconds += (performance.now() - t0) / 1000;
      tokens += r.tokens;
      for (const [rows, t] of r.shapes) flops += 3 * forwardFlops(run.model.config, rows, t);
    }
    const gflops = flops / seconds / 1e9;
    return {
      backend,
      preset,
      params: countParams(run.model.config),
      batch: `${config.train.batchSize} records → teacher + student rows, maxLen ${config.train.maxLen}`,
      steps,
      msPerStep: +((seconds / steps) * 1000).toFixed(1),
      tokensPerSec: +(tokens / seconds).toFixed(1),
      achievedGflops: +gflops.toFixed(3),
      matmul512Gflops: +matmul.toFixed(3),
      efficiency: +((gflops / matmul) * 100).toFixed(1) + '%',
    };
  } finally {
    run.dispose();
  }
}

export function run(): Promise<object> {
  return perNodeBackend('train', (b) => benchBackend(b, 'smoke'));
}
