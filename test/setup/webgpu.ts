/**
 * WebGPU in Node for tests: Dawn (the `webgpu` package) on Chromium's SwiftShader, through
 * src/platform/node-webgpu.ts. Use at the top of a test file:
 *
 *   const gpu = await nodeWebGPUAvailable();
 *   describe.skipIf(!gpu.available)(`… ${skipNote(gpu)}`, () => {
 *     beforeAll(useNodeWebGPUBackend); afterAll(disposeNodeWebGPU); … });
 *
 * Shader compilation dominates first use (seconds on SwiftShader): keep shapes fixed and few.
 */
import * as tf from '@tensorflow/tfjs';
import { installNodeWebGPU, type NodeWebGPU } from '../../src/platform/node-webgpu.ts';

let installed: Promise<NodeWebGPU> | null = null;
let backendImported = false;

/** Installs navigator.gpu once per test file (memoized) and says whether an adapter exists. */
export function nodeWebGPUAvailable(): Promise<{ available: boolean; reason: string }> {
  installed ??= installNodeWebGPU();
  return installed.then(({ available, reason }) => ({ available, reason }));
}

/** " (skipped: <reason>)" when WebGPU is unavailable, for the describe title. */
export function skipNote(gpu: { available: boolean; reason: string }): string {
  return gpu.available ? '' : `(skipped: no WebGPU in Node here — ${gpu.reason})`;
}

/** Makes `webgpu` the active tfjs backend. */
export async function useNodeWebGPUBackend(): Promise<void> {
  const gpu = await nodeWebGPUAvailable();
  if (!gpu.available) throw new Error(`WebGPU is not available in Node: ${gpu.reason}`);
  if (!backendImported) {
    // The backend registers itself only if navigator.gpu exists at import time: import it after install.
    await import('@tensorflow/tfjs-backend-webgpu');
    backendImported = true;
  }
  if (!(await tf.setBackend('webgpu'))) throw new Error('tfjs could not start the webgpu backend');
  await tf.ready();
}

/** Removes navigator.gpu so the test process can exit. */
export async function disposeNodeWebGPU(): Promise<void> {
  if (!installed) return;
  const gpu = await installed;
  if (tf.getBackend() === 'webgpu') await tf.setBackend('cpu');
  gpu.dispose();
  installed = null;
}
