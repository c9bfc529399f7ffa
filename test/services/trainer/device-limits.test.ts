import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { disposeNodeBackends, selectNodeBackend } from '../../../src/platform/node/backend.ts';
import { gpuLimits } from '../../../src/services/trainer/device-limits.ts';

describe('gpuLimits', () => {
  it('is undefined on a backend without a device (cpu)', async () => {
    await tf.setBackend('cpu');
    expect(gpuLimits()).toBeUndefined();
  });

  it('reads the WebGPU device’s buffer limits (Dawn in Node; skipped where it cannot start)', async (ctx) => {
    try {
      await selectNodeBackend('webgpu');
    } catch (e) {
      ctx.skip(`webgpu unavailable here: ${(e as Error).message}`);
    }
    try {
      const g = gpuLimits();
      expect(g?.maxBufferSize).toBeGreaterThan(0);
      expect(g?.maxStorageBufferBindingSize).toBeGreaterThan(0);
    } finally {
      disposeNodeBackends();
    }
  });
});
