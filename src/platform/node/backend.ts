/**
 * tfjs backend selection in Node (CLI, tests, benchmarks).
 * - wasm: the fast path on a machine without a GPU (docs/platform.md); its binaries are read from
 *   node_modules/@tensorflow/tfjs-backend-wasm/dist/ (setWasmPaths with a file path and a
 *   trailing slash: the Node build of the backend reads them with fs).
 * - webgpu: Dawn on SwiftShader through src/platform/node-webgpu.ts (correctness, not speed).
 * - cpu: plain JS.
 * `auto` = wasm, falling back to cpu. An explicit preference is strict: if it cannot start this
 * throws BackendError, so a test or benchmark never silently runs on another backend.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { BackendChoice, BackendPreference } from '../../api/backend.ts';
import { BackendError } from '../../core/errors.ts';
import { installNodeWebGPU, type NodeWebGPU } from '../node-webgpu.ts';
import { shareWasmIdentity } from '../wasm-identity.ts';
import { registerThreadedWasm, wasmThreadsInUse, type ThreadedWasmFactory } from '../wasm-threaded.ts';

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

/**
 * wasm threads in Node: RCW_WASM_THREADS (e.g. `RCW_WASM_THREADS=2 npm run cli -- train …`), else 1
 * (the single-threaded SIMD build). Not every core by default: starting the threaded build in Node
 * takes ~3.5 s here (tfjs's 8 pthread workers each evaluate the 2 MB glue), which every test file
 * and short CLI command would pay.
 */
export function nodeWasmThreadsWanted(): number {
  const env = process.env.RCW_WASM_THREADS;
  if (env !== undefined && env !== '') {
    const n = Number(env);
    if (!Number.isInteger(n) || n < 1)
      throw new BackendError(`RCW_WASM_THREADS must be an integer ≥ 1, found "${env}"`);
    return n;
  }
  return 1;
}

/**
 * tfjs's threaded start in Node hands worker_threads a Blob URL, which Node cannot load. Here the
 * glue is the file in wasm-out/ and the pthread worker script (shipped as a string export, for
 * tfjs's Blob) is written to a temporary file once per process.
 */
function registerNodeThreads(threads: number): void {
  const require = createRequire(import.meta.url);
  const out = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'wasm-out');
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'rcw-tfjs-wasm-'));
  process.once('exit', () => rmSync(tmp, { recursive: true, force: true }));
  const worker = path.join(tmp, 'tfjs-backend-wasm-threaded-simd.worker.js');
  const contents = (
    require(path.join(out, 'tfjs-backend-wasm-threaded-simd.worker.js')) as { wasmWorkerContents: string }
  ).wasmWorkerContents;
  // The template literal turned the source's "\n" escapes into newlines; put them back (as tfjs does).
  writeFileSync(worker, contents.replace(/\n/g, '\\n'));
  const glue = path.join(out, 'tfjs-backend-wasm-threaded-simd.js');
  registerThreadedWasm(
    require(glue) as ThreadedWasmFactory,
    { glue, worker, wasm: wasmDir() + 'tfjs-backend-wasm-threaded-simd.wasm', readWasm: (p) => readFile(p) },
    threads,
  );
}

async function startWasm(): Promise<number> {
  if (!wasmPathsSet) {
    setWasmPaths(wasmDir());
    wasmPathsSet = true;
    const threads = nodeWasmThreadsWanted();
    if (threads > 1) registerNodeThreads(threads);
  }
  shareWasmIdentity();
  if (!(await tf.setBackend('wasm'))) throw new BackendError('the wasm backend did not initialise');
  await tf.ready();
  return wasmThreadsInUse() ?? 1;
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
  return {
    backend: 'webgpu',
    adapter: webgpu.reason,
    isFallbackAdapter: true,
    reason: 'webgpu requested: Dawn on SwiftShader (a software adapter: correct but slow)',
  };
}

export async function selectNodeBackend(pref: BackendPreference): Promise<BackendChoice> {
  switch (pref) {
    case 'cpu':
      if (!(await tf.setBackend('cpu'))) throw new BackendError('the cpu backend did not initialise');
      return { backend: 'cpu', reason: 'cpu requested (plain JavaScript)' };
    case 'wasm': {
      let threads: number;
      try {
        threads = await startWasm();
      } catch (e) {
        throw e instanceof BackendError ? e : new BackendError(`wasm failed to start: ${(e as Error).message}`);
      }
      return { backend: 'wasm', reason: `wasm requested (SIMD, ${threads} thread${threads > 1 ? 's' : ''})`, threads };
    }
    case 'webgpu':
      return startWebGPU();
    case 'auto':
      try {
        const threads = await startWasm();
        return { backend: 'wasm', reason: 'auto: wasm is the fast path in Node without a GPU', threads };
      } catch (e) {
        await tf.setBackend('cpu');
        return { backend: 'cpu', reason: `auto: wasm failed (${(e as Error).message}), using cpu` };
      }
  }
}

/** Removes navigator.gpu (installed for webgpu) and stops wasm's pthread workers, so Node can exit. */
export function disposeNodeBackends(): void {
  const wasm = tf.findBackend('wasm') as { wasm?: { PThread?: { terminateAllThreads(): void } } } | null;
  wasm?.wasm?.PThread?.terminateAllThreads();
  webgpu?.dispose();
  webgpu = null;
}
