/**
 * The probe service: selects a backend (with whatever selector the platform supplies) and checks
 * that it computes the same matmul as tfjs's reference cpu backend. Used by the probe worker
 * (browser) and the `backends` CLI command (Node).
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendChoice, BackendName, BackendPreference } from '../api/backend.ts';
import type { MatmulCheck, ProbeApi } from '../api/probe.ts';
import { BackendError, UsageError } from '../core/errors.ts';

/** mulberry32: a tiny seeded PRNG, so both backends multiply exactly the same numbers. */
function seededMatrix(n: number, seed: number): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(n * n);
  for (let i = 0; i < out.length; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  }
  return out;
}

/** a·b on the active backend; `await data()` only (dataSync breaks WebGPU, docs/platform.md). */
async function timedMatmul(a: Float32Array, b: Float32Array, n: number): Promise<{ out: Float32Array; ms: number }> {
  const t0 = performance.now();
  const ta = tf.tensor2d(a, [n, n]); // [n, n]
  const tb = tf.tensor2d(b, [n, n]); // [n, n]
  const tc = tf.matMul(ta, tb); // [n, n]
  try {
    const out = (await tc.data()) as Float32Array;
    return { out, ms: performance.now() - t0 };
  } finally {
    tf.dispose([ta, tb, tc]);
  }
}

/**
 * Runs a seeded n×n matmul on the active backend and on cpu, then restores the active backend.
 * Switching backends keeps both instances alive; tensors are created per backend from plain arrays.
 */
export async function matmulAgainstCpu(n: number, seed = 1): Promise<MatmulCheck> {
  if (!Number.isInteger(n) || n < 1 || n > 2048)
    throw new UsageError(`matmul size: expected an integer in 1..2048, found ${n}`);
  const active = tf.getBackend() as BackendName;
  const a = seededMatrix(n, seed);
  const b = seededMatrix(n, seed + 1);
  const onActive = await timedMatmul(a, b, n);
  let onCpu: { out: Float32Array; ms: number };
  try {
    if (!(await tf.setBackend('cpu'))) throw new BackendError('the cpu backend did not initialise');
    onCpu = await timedMatmul(a, b, n);
  } finally {
    await tf.setBackend(active);
  }
  let maxAbsDiff = 0;
  for (let i = 0; i < onActive.out.length; i++)
    maxAbsDiff = Math.max(maxAbsDiff, Math.abs(onActive.out[i] - onCpu.out[i]));
  return { backend: active, n, maxAbsDiff, ms: onActive.ms, cpuMs: onCpu.ms };
}

export function createProbeService(select: (pref: BackendPreference) => Promise<BackendChoice>): ProbeApi {
  let choice: BackendChoice | null = null;
  return {
    async probe(pref) {
      choice = await select(pref);
      return choice;
    },
    async matmulCheck(n, seed) {
      if (!choice) choice = await select('auto');
      return matmulAgainstCpu(n, seed);
    },
  };
}
