import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matmulAgainstCpu } from '../../src/services/probe.ts';
import { disposeNodeWebGPU, nodeWebGPUAvailable, skipNote, useNodeWebGPUBackend } from '../setup/webgpu.ts';

const gpu = await nodeWebGPUAvailable();

describe.skipIf(!gpu.available)(`tfjs on WebGPU in Node ${skipNote(gpu)}`, () => {
  beforeAll(useNodeWebGPUBackend);
  afterAll(disposeNodeWebGPU);

  it('multiplies a fixed 128×128 matrix like the cpu backend does', async () => {
    expect(tf.getBackend()).toBe('webgpu');
    const r = await matmulAgainstCpu(128, 7);
    expect(r.backend).toBe('webgpu');
    expect(r.n).toBe(128);
    // float32 sums of 128 products of numbers in [-0.5, 0.5): a few ulps apart, never more.
    expect(r.maxAbsDiff).toBeLessThan(1e-4);
    expect(tf.getBackend()).toBe('webgpu'); // the check restores the active backend
  });

  it('does not leak tensors across the backend switch', async () => {
    const before = tf.memory().numTensors;
    await matmulAgainstCpu(128, 8);
    expect(tf.memory().numTensors).toBe(before);
  });
});
