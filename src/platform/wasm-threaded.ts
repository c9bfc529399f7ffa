/**
 * tfjs-backend-wasm's threaded SIMD build (XNNPACK on a pthread pool), started from files the app
 * itself serves, in a browser worker and in Node.
 *
 * Why not tfjs's own start-up: tfjs hands emscripten its glue as a Blob (`factory.toString()`) and
 * the pthread worker as a Blob URL. Each pthread worker then runs `importScripts(blob:…)`, which the
 * page's CSP forbids (`script-src 'self'`; adding `blob:` would let Python code run any script it
 * builds), and the stringified factory comes from the bundle, where minification may rename what it
 * refers to. In Node, Worker cannot load a Blob URL at all. So this module registers the `wasm`
 * backend with a factory that gives emscripten real files: the glue as `mainScriptUrlOrBlob` (each
 * pthread `importScripts` it) and the pthread worker script through `locateFile`. The kernels tfjs
 * registered for `wasm` stay as they are; only the module start differs.
 */
import * as tf from '@tensorflow/tfjs';
import { BackendWasm, getThreadsCount, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';

/** Where the three files of the threaded build are (URLs in a browser, file paths in Node). */
export interface ThreadedWasmFiles {
  /** wasm-out/tfjs-backend-wasm-threaded-simd.js: the emscripten glue, a classic script. */
  glue: string;
  /** wasm-out/tfjs-backend-wasm-threaded-simd.worker.js: the pthread worker script. */
  worker: string;
  /** tfjs-backend-wasm-threaded-simd.wasm */
  wasm: string;
  /** Reads the binary (fetch in a browser, fs in Node). */
  readWasm(location: string): Promise<ArrayBuffer | Uint8Array>;
}

interface EmscriptenModule {
  cwrap(name: string, ret: string | null, args: string[]): unknown;
  tfjs?: unknown;
}

/** The emscripten factory exported by the glue (MODULARIZE build). */
export type ThreadedWasmFactory = (config: {
  locateFile(path: string, prefix: string): string;
  mainScriptUrlOrBlob: string;
  onAbort(msg: unknown): void;
  instantiateWasm(
    imports: WasmImports,
    receive: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void,
  ): object;
}) => Promise<EmscriptenModule>;

type WasmImports = { env: Record<string, unknown> } & Record<string, Record<string, unknown>>;

/** tfjs's priority for `wasm` (base.ts), so `auto` ordering inside tfjs is unchanged. */
const WASM_PRIORITY = 2;

let registered: { threads: number } | null = null;

/**
 * Replaces the `wasm` backend's start-up with the threaded build on `threads` threads (≥ 1).
 * Call before the first tf.setBackend('wasm'); later calls (a backend already registered) keep the
 * first thread count, since XNNPACK's pool is created once per wasm instance.
 */
export function registerThreadedWasm(factory: ThreadedWasmFactory, files: ThreadedWasmFiles, threads: number): void {
  if (registered) return;
  if (!Number.isInteger(threads) || threads < 1)
    throw new RangeError(`wasm threads: expected an integer ≥ 1, found ${threads}`);
  registered = { threads };
  tf.removeBackend('wasm');
  setThreadsCount(threads);
  tf.registerBackend(
    'wasm',
    async () => {
      let aborted: unknown = null;
      const module = await factory({
        locateFile: (path) => (path.endsWith('.worker.js') ? files.worker : path.endsWith('.wasm') ? files.wasm : path),
        mainScriptUrlOrBlob: files.glue,
        onAbort: (msg) => (aborted = msg),
        // tfjs's C++ caps XNNPACK's pool at emscripten_num_logical_cores() / 2 (it assumes two
        // hardware threads per core), read once at start-up: on a 2-core machine that is 1 thread
        // whatever setThreadsCount asked for. Reporting twice the wanted count lifts the cap to it.
        instantiateWasm: (imports, receive) => {
          imports.env.emscripten_num_logical_cores = () => 2 * threads;
          files
            .readWasm(files.wasm)
            .then((bytes) => WebAssembly.instantiate(bytes as BufferSource, imports as WebAssembly.Imports))
            .then((r) => receive(r.instance, r.module))
            .catch((e: unknown) => (aborted = e));
          return {};
        },
      });
      if (aborted) throw new Error(`the threaded wasm module aborted: ${String(aborted)}`);
      // The same bridge tfjs's own init() builds (backend_wasm.ts).
      module.tfjs = {
        init: module.cwrap('init', null, []),
        initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
        getThreadsCount: module.cwrap('get_threads_count', 'number', []),
        registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
        disposeData: module.cwrap('dispose_data', null, ['number']),
        dispose: module.cwrap('dispose', null, []),
      };
      return new BackendWasm(module as unknown as ConstructorParameters<typeof BackendWasm>[0]);
    },
    WASM_PRIORITY,
  );
}

/** Threads XNNPACK runs on in the active wasm backend, or null when wasm has not started. */
export function wasmThreadsInUse(): number | null {
  try {
    return getThreadsCount();
  } catch {
    return null;
  }
}
