import { existsSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { selectNodeBackend, wasmDir } from '../../src/platform/node/backend.ts';

describe('selectNodeBackend', () => {
  it('finds the wasm binaries (file path with a trailing separator)', () => {
    const dir = wasmDir();
    expect(dir.endsWith(path.sep)).toBe(true);
    for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm'])
      expect(existsSync(dir + f), f).toBe(true);
  });

  it('auto picks wasm, cpu is explicit, and both compute the same matmul', async () => {
    const auto = await selectNodeBackend('auto');
    expect(auto.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(auto.reason).toMatch(/wasm/);
    const a = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
    const b = tf.tensor2d([1, 0, -1, 2, 0.5, 3], [3, 2]);
    const onWasm = await tf.matMul(a, b).data();
    const cpu = await selectNodeBackend('cpu');
    expect(cpu).toEqual({ backend: 'cpu', reason: 'cpu requested (plain JavaScript)' });
    expect(tf.getBackend()).toBe('cpu');
    const onCpu = await tf.matMul(a, b).data();
    expect(Array.from(onWasm)).toEqual(Array.from(onCpu));
    expect(Array.from(onCpu)).toEqual([0.5, 13, 2, 28]);
  });
});
