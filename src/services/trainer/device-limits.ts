/** The WebGPU device's buffer limits, read where tfjs keeps them, for the resource guard (budget.ts). */
import * as tf from '@tensorflow/tfjs';
import type { BackendEnv } from '../../core/model/budget.ts';

/** The active tfjs backend's device buffer limits (webgpu), or undefined (other backends have no device). */
export function gpuLimits(): BackendEnv['gpu'] {
  const device = (
    tf.backend() as unknown as {
      device?: { limits?: { maxBufferSize?: number; maxStorageBufferBindingSize?: number } };
    }
  ).device;
  return device?.limits
    ? {
        maxBufferSize: device.limits.maxBufferSize,
        maxStorageBufferBindingSize: device.limits.maxStorageBufferBindingSize,
      }
    : undefined;
}
