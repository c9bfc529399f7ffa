/** Timing helpers shared by the benchmarks. */
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../src/api/backend.ts';
import { disposeNodeBackends } from '../src/platform/node/backend.ts';

/** The median (mean of the two middle values for an even count). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/**
 * Median and best of `reps` timed runs after one warm-up (kernel compilation, wasm memory growth).
 * On a shared machine the best time is the least disturbed by other processes.
 */
export async function timeIt(fn: () => Promise<void>, reps: number): Promise<{ median: number; min: number }> {
  await fn();
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await fn();
    ts.push(performance.now() - t0);
  }
  return { median: median(ts), min: Math.min(...ts) };
}

/** GFLOP/s of an n×n matmul on the active backend (the efficiency yardstick), from the median or best time. */
export async function matmulGflops(
  n: number,
  reps: number,
  opts: { transposeB?: boolean; stat?: 'median' | 'best' } = {},
): Promise<number> {
  const a = tf.randomNormal([n, n], 0, 1, 'float32', 1);
  const b = tf.randomNormal([n, n], 0, 1, 'float32', 2);
  try {
    const t = await timeIt(async () => {
      const c = tf.matMul(a, b, false, opts.transposeB ?? false);
      await c.data();
      c.dispose();
    }, reps);
    const ms = opts.stat === 'best' ? t.min : t.median;
    return (2 * n ** 3) / (ms / 1000) / 1e9;
  } finally {
    tf.dispose([a, b]);
  }
}

/**
 * Runs `bench` on wasm and cpu (and webgpu on the software adapter when BENCH_WEBGPU=1), one backend after the
 * other; a backend that cannot start or fails is reported as skipped with the reason.
 */
export async function perNodeBackend(name: string, bench: (backend: BackendName) => Promise<object>): Promise<object> {
  const backends: BackendName[] = ['wasm', 'cpu'];
  if (process.env.BENCH_WEBGPU === '1') backends.push('webgpu');
  const results: object[] = [];
  try {
    for (const b of backends) {
      try {
        const r = await bench(b);
        console.error(`${name} ${b}: ${JSON.stringify(r)}`);
        results.push(r);
      } catch (e) {
        results.push({ backend: b, skipped: (e as Error).message });
      }
    }
  } finally {
    disposeNodeBackends();
  }
  return { name, when: new Date().toISOString(), results };
}
