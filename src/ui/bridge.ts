/**
 * The bridge owns a worker's lifecycle (docs/architecture.md, "Boundaries"): the worker starts on the first
 * `get()`, `terminate()` is the hard stop (e.g. a runaway Python loop or a training run the user
 * kills), and the next `get()` starts a fresh one. The UI imports only the worker's API type.
 */
import * as Comlink from 'comlink';
import { RUNTIME_SETTINGS_KEY } from '../api/backend.ts';
import { readRuntimeSettings } from './settings.ts';

export interface WorkerBridge<T> {
  /** The remote API, starting the worker if none is running. */
  get(): Promise<Comlink.Remote<T>>;
  /** Kills the worker now; calls in flight never settle. The next get() starts a new worker. */
  terminate(): void;
  /** terminate() then get(). */
  restart(): Promise<Comlink.Remote<T>>;
  /** True while a worker is alive. */
  readonly running: boolean;
}

export interface WorkerBridgeOptions {
  /** Called on a worker error. A worker whose script fails to load is terminated first. */
  onError?: (message: string) => void;
}

export function createWorkerBridge<T>(make: () => Worker, opts: WorkerBridgeOptions = {}): WorkerBridge<T> {
  let worker: Worker | null = null;
  let remote: Comlink.Remote<T> | null = null;

  function terminate(): void {
    if (remote) remote[Comlink.releaseProxy]();
    worker?.terminate();
    worker = null;
    remote = null;
  }

  async function get(): Promise<Comlink.Remote<T>> {
    if (remote) return remote;
    const w = make();
    // Bridged workers run tfjs: their first message is the runtime settings (wasm threads).
    w.postMessage({ [RUNTIME_SETTINGS_KEY]: readRuntimeSettings() });
    w.addEventListener('error', (ev: Event) => {
      // A script that fails to load fires a plain Event (no message) and leaves comlink calls
      // pending forever: drop that worker so the next call starts a new one. An ErrorEvent is an
      // uncaught exception inside a running worker (or one of its sub-workers): report it only.
      const loadFailure = !(ev instanceof ErrorEvent) || !ev.message;
      if (loadFailure && worker === w) terminate();
      opts.onError?.(loadFailure ? 'the worker script failed to load' : (ev as ErrorEvent).message);
    });
    worker = w;
    remote = Comlink.wrap<T>(w);
    return remote;
  }

  return {
    get,
    terminate,
    async restart() {
      terminate();
      return get();
    },
    get running() {
      return worker !== null;
    },
  };
}
