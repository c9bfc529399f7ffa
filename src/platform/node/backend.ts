/**
 * tfjs backend selection in Node (CLI, tests, benchmarks).
 * - wasm: the fast path on a machine without a GPU (PLATFORM.md); its binaries are read from
 *   node_modules/@tensorflow/tfjs-backend-wasm/dist/ (setWasmPaths with a file path and a
 *   trailing slash: the Node build of the backend reads them with fs).
 * - webgpu: Dawn on SwiftShader through src/platform/node-webgpu.ts (correctness, not speed).
 * - cpu: plain JS.
 * `auto` = wasm, falling back to cpu. An explicit preference is strict: if it cannot start this
 * throws BackendError, so a test or benchmark never silently runs on another backend.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { BackendChoice, BackendPreference } from '../../api/backend.ts';
import { BackendError } from '../../core/errors.ts';
import { installNodeWebGPU, type NodeWebGPU } from '../node-webgpu.ts';

// tfjs prints an "install the node backend" banner on first use of cpu in Node; this app chooses wasm or
// webgpu deliberately, so the banner is only noise. PROD mode silences tfjs's console warnings (nothing else).
tf.env().set('PROD', true);

let wasmPathsSet = false;
let webgpu: NodeWebGPU | null = null;

/** Directory of the tfjs wasm binaries, with a trailing separator. */
export function wasmDir(): string {
  const require = createRequire(import.meta.url);
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + path.sep;
}

async function startWasm(): Promise<void> {
  if (!wasmPathsSet) {
    setWasmPaths(wasmDir());
    wasmPathsSet = true;
  }
  if (!(await tf.setBackend('wasm'))) throw new BackendError('the wasm backend did not initialise');
  await tf.ready();
}

async function startWebGPU(): Promise<BackendChoice> {
  if (!webgpu) {
    webgpu = await installNodeWebGPU();
    if (!webgpu.available) {
      const reason = webgpu.reason;
      webgpu = null;
      throw new BackendError(`webgpu is not available in Node: ${reason}`);
    }
    // Registers the backend; it checks navigator.gpu at import time, so import after install.
    await import('@tensorflow/tfjs-backend-webgpu');
  }
  if (!(await tf.setBackend('webgpu'))) throw new BackendError('the webgpu backend did not initialise');
  await tf.ready();
  return { backend: 'webgpu', adapter: webgpu.reason, isFallbackAdapter: true, reason: 'webgpu requested: Dawn on SwiftShader (a software adapter: correct but slow)' };
}

export async function selectNodeBackend(pref: BackendPreference): Promise<BackendChoice> {
  switch (pref) {
    case 'cpu':
      if (!(await tf.setBackend('cpu'))) throw new BackendError('the cpu backend did not initialise');
      return { backend: 'cpu', reason: 'cpu requested (plain JavaScript)' };
    case 'wasm':
      try {
        await startWasm();
      } catch (e) {
        throw e instanceof BackendError ? e : new BackendError(`wasm failed to start: ${(e as Error).message}`);
      }
      return { backend: 'wasm', reason: 'wasm requested (SIMD, one thread)' };
    case 'webgpu':
      return startWebGPU();
    case 'auto':
      try {
        await startWasm();
        return { backend: 'wasm', reason: 'auto: wasm is the fast path in Node without a GPU' };
      } catch (e) {
        await tf.setBackend('cpu');
        return { backend: 'cpu', reason: `auto: wasm failed (${(e as Error).message}), using cpu` };
      }
  }
}

/** Removes navigator.gpu (installed for webgpu) so Node can exit. */
export function disposeNodeBackends(): void {
  webgpu?.dispose();
  webgpu = null;
}
