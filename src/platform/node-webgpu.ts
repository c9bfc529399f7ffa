/**
 * Gives TensorFlow.js a WebGPU device in Node through Dawn (the `webgpu` package),
 * on the SwiftShader Vulkan driver that Debian's chromium package ships.
 * Must run BEFORE `@tensorflow/tfjs-backend-webgpu` is imported: that module registers
 * its backend only when `navigator.gpu` exists at import time (docs/platform.md).
 */
import { existsSync } from 'node:fs';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/**
 * Every Dawn instance this process created, kept for the life of the process. When the `GPU` object is garbage
 * collected, Dawn's finalizer tears the instance down under the device that tfjs still holds and its running
 * SwiftShader threads: the process dies with "The futex facility returned an unexpected error code",
 * std::system_error or SIGSEGV (10 of 10 runs that call gc() after dispose; 0 of 8 with this list, and the process
 * still exits). Deleting navigator.gpu alone is what lets Node exit; the instance itself must stay reachable.
 */
const dawnInstances: unknown[] = [];

export interface NodeWebGPU {
  available: boolean;
  reason: string;
  /** Removes navigator.gpu so that Node can exit. */
  dispose(): void;
}

export async function installNodeWebGPU(): Promise<NodeWebGPU> {
  const none = (reason: string): NodeWebGPU => ({ available: false, reason, dispose() {} });
  if (!process.env.VK_ICD_FILENAMES) {
    if (!existsSync(SWIFTSHADER_ICD))
      return none(`no Vulkan driver: ${SWIFTSHADER_ICD} is missing (apt-get install chromium libvulkan1)`);
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  }
  process.env.NODEVICE_SELECT ??= '1';
  let mod: typeof import('webgpu');
  try {
    mod = await import('webgpu');
  } catch (e) {
    return none(`the webgpu package failed to load: ${(e as Error).message}`);
  }
  const g = globalThis as unknown as { navigator?: { gpu?: unknown } };
  Object.assign(globalThis, mod.globals);
  const gpu = mod.create([]);
  dawnInstances.push(gpu);
  const adapter = await gpu.requestAdapter();
  if (!adapter) return none('Dawn found no WebGPU adapter (is libvulkan1 installed?)');
  if (!g.navigator) Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true, writable: true });
  Object.defineProperty(g.navigator!, 'gpu', { value: gpu, configurable: true, writable: true });
  return {
    available: true,
    reason: 'Dawn on SwiftShader',
    dispose() {
      delete (g.navigator as { gpu?: unknown }).gpu;
    },
  };
}
