/**
 * Picks the tfjs backend in a browser context (a worker, normally: tfjs runs where the work is).
 *
 * Rules for `auto` (README, "Decisions"):
 *   1) WebGPU when the adapter is real hardware;
 *   2) wasm (SIMD) when there is no adapter or only a software fallback (SwiftShader): on a CPU,
 *      wasm is 40-50x faster than WebGPU-on-SwiftShader (docs/platform.md, "Speed here");
 *   3) cpu (plain JS) last.
 * An explicit preference is tried first and falls down the same chain if it cannot start, with
 * the failure in `reason`, so the app stays usable and the status bar says what happened.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import threadedFactory from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js';
// Registers the 'webgpu' backend, but only when navigator.gpu exists at import time.
import '@tensorflow/tfjs-backend-webgpu';
import type { BackendChoice, BackendName, BackendPreference } from '../../api/backend.ts';
import { BackendError } from '../../core/errors.ts';
import { shareWasmIdentity } from '../wasm-identity.ts';
import { registerThreadedWasm, wasmThreadsInUse, type ThreadedWasmFactory } from '../wasm-threaded.ts';
import { runtimeSettings } from './runtime-settings.ts';

export interface AdapterInfo {
  /** e.g. "google / swiftshader / Subzero" */
  description: string;
  isFallbackAdapter: boolean;
}

export type AdapterProbe = { found: true; info: AdapterInfo } | { found: false; why: string };

/** Asks for a WebGPU adapter and describes it without creating a device. */
export async function probeAdapter(): Promise<AdapterProbe> {
  const gpu = (globalThis.navigator as { gpu?: GPU } | undefined)?.gpu;
  if (!gpu) return { found: false, why: 'navigator.gpu is missing (WebGPU unsupported or disabled)' };
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter();
  } catch (e) {
    return { found: false, why: `requestAdapter() threw: ${(e as Error).message}` };
  }
  if (!adapter) return { found: false, why: 'requestAdapter() returned no adapter' };
  const info = adapter.info as Partial<GPUAdapterInfo> | undefined;
  const parts = [info?.vendor, info?.architecture, info?.device, info?.description].filter((s): s is string => !!s);
  const description = [...new Set(parts)].join(' / ') || 'unnamed adapter';
  // isFallbackAdapter moved from GPUAdapter to GPUAdapterInfo; older Chromium has only the former,
  // and some builds report neither for SwiftShader, so the architecture name is checked too.
  const legacyFlag = (adapter as unknown as { isFallbackAdapter?: boolean }).isFallbackAdapter;
  const isFallbackAdapter = info?.isFallbackAdapter === true || legacyFlag === true || /swiftshader/i.test(description);
  return { found: true, info: { description, isFallbackAdapter } };
}

let wasmPathsSet = false;
let threadedFailure: string | null = null;

/** Where the tfjs wasm binaries are served (copied there by scripts/copy-runtime.mjs). */
export function defaultWasmPrefix(): string {
  return new URL(`${import.meta.env.BASE_URL}tfjs-wasm/`, globalThis.location.origin).href;
}

/** Threads for wasm: the setting sent by the page, else every logical core. */
export function wasmThreadsWanted(): number {
  return runtimeSettings().wasmThreads ?? Math.max(1, globalThis.navigator?.hardwareConcurrency ?? 1);
}

/**
 * Starts wasm. Cross-origin isolated (SharedArrayBuffer): the threaded SIMD build from files on
 * this origin (src/platform/wasm-threaded.ts), on wasmThreadsWanted() threads; if it cannot start,
 * the single-threaded SIMD build, with the failure kept for the reason. Not isolated: SIMD only.
 * `singleThread`: the single-threaded SIMD build, no pthread pool (the trainer and its data-parallel
 * replicas: one thread each, the cores shared by instances instead of by ops).
 */
async function startWasm(wasmPrefix: string, singleThread: boolean): Promise<void> {
  shareWasmIdentity();
  if (!wasmPathsSet) {
    setWasmPaths(wasmPrefix);
    wasmPathsSet = true;
    if (globalThis.crossOriginIsolated && !singleThread) {
      const original = tf.findBackendFactory('wasm');
      registerThreadedWasm(
        threadedFactory as unknown as ThreadedWasmFactory,
        {
          glue: `${wasmPrefix}tfjs-backend-wasm-threaded-simd.js`,
          worker: `${wasmPrefix}tfjs-backend-wasm-threaded-simd.worker.js`,
          wasm: `${wasmPrefix}tfjs-backend-wasm-threaded-simd.wasm`,
          readWasm: async (url) => {
            const r = await fetch(url, { credentials: 'same-origin' });
            if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
            return r.arrayBuffer();
          },
        },
        wasmThreadsWanted(),
      );
      try {
        if (await tf.setBackend('wasm')) return;
        threadedFailure = 'the threaded build did not initialise';
      } catch (e) {
        threadedFailure = `the threaded build failed: ${(e as Error).message}`;
      }
      tf.removeBackend('wasm');
      if (original) tf.registerBackend('wasm', original, 2);
    }
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  }
  if (!(await tf.setBackend('wasm'))) throw new Error('wasm did not initialise');
}

async function tryBackend(name: BackendName, wasmPrefix: string, singleThread: boolean): Promise<string | null> {
  try {
    if (name === 'wasm') await startWasm(wasmPrefix, singleThread);
    else if (!(await tf.setBackend(name))) return `${name} did not initialise`;
    await tf.ready();
    return null;
  } catch (e) {
    return `${name} failed: ${(e as Error).message}`;
  }
}

/** The order in which backends are tried for a preference, given what the adapter probe found. */
export function backendOrder(pref: BackendPreference, adapter: AdapterProbe): BackendName[] {
  switch (pref) {
    case 'webgpu':
      return ['webgpu', 'wasm', 'cpu'];
    case 'wasm':
      return ['wasm', 'cpu'];
    case 'cpu':
      return ['cpu'];
    case 'auto':
      return adapter.found && !adapter.info.isFallbackAdapter ? ['webgpu', 'wasm', 'cpu'] : ['wasm', 'cpu'];
  }
}

export async function selectBackend(
  pref: BackendPreference,
  opts: { wasmPrefix?: string; singleThread?: boolean } = {},
): Promise<BackendChoice> {
  const adapter = await probeAdapter();
  const order = backendOrder(pref, adapter);
  const failures: string[] = [];
  for (const name of order) {
    if (name === 'webgpu' && !adapter.found) {
      failures.push(`webgpu unavailable: ${adapter.why}`);
      continue;
    }
    const failure = await tryBackend(name, opts.wasmPrefix ?? defaultWasmPrefix(), opts.singleThread === true);
    if (failure) {
      failures.push(failure);
      continue;
    }
    const threads = name === 'wasm' ? (wasmThreadsInUse() ?? 1) : undefined;
    if (name === 'wasm' && threadedFailure) failures.push(`single-threaded: ${threadedFailure}`);
    return {
      backend: name,
      ...(adapter.found
        ? { adapter: adapter.info.description, isFallbackAdapter: adapter.info.isFallbackAdapter }
        : {}),
      reason: explain(pref, name, adapter, failures),
      ...(threads !== undefined ? { threads } : {}),
    };
  }
  throw new BackendError(`no tfjs backend could start (tried ${order.join(', ')}): ${failures.join('; ')}`);
}

function explain(pref: BackendPreference, chosen: BackendName, adapter: AdapterProbe, failures: string[]): string {
  const fell = failures.length ? ` (${failures.join('; ')})` : '';
  if (pref !== 'auto') {
    return chosen === pref ? `${pref} requested` : `${pref} requested but could not start; using ${chosen}${fell}`;
  }
  if (chosen === 'webgpu') return 'auto: WebGPU on a hardware adapter';
  const why = !adapter.found
    ? `no WebGPU adapter (${adapter.why})`
    : adapter.info.isFallbackAdapter
      ? 'the only WebGPU adapter is a software fallback, slower than wasm on a CPU'
      : 'WebGPU could not start';
  return `auto: ${why}; using ${chosen}${fell}`;
}
