/// <reference lib="webworker" />
/**
 * Experiment worker: trains and evaluates the experiment's cells (src/services/experiment/) off the page
 * thread. On wasm it runs the single-threaded build and trains each cell data-parallel on the Threads
 * setting's instances (this worker + replica workers, kept for the worker's life: docs/performance.md).
 */
import * as Comlink from 'comlink';
import { selectBackend } from '../src/platform/browser/backend.ts';
import { browserDataParallelWanted, openBrowserReplica } from '../src/platform/browser/replica-port.ts';
import { poolFor, type DataParallelPool } from '../src/services/trainer/data-parallel.ts';
import { IdbResultStore } from '../src/platform/browser/experiment-results.ts';
import { parseExperimentData } from '../src/services/experiment/data.ts';
import { experimentPreset } from '../src/services/experiment/presets.ts';
import { runExperiment } from '../src/services/experiment/runner.ts';
import { variantsByName } from '../src/services/experiment/variants.ts';
import type { ExperimentWorkerApi } from '../src/services/experiment/worker-api.ts';

let controller: AbortController | null = null;
let pool: DataParallelPool | null = null;

function dataParallel(backend: string): DataParallelPool | null {
  pool = poolFor(pool, backend === 'wasm' ? browserDataParallelWanted() : 1, openBrowserReplica);
  return pool;
}

const api: ExperimentWorkerApi = {
  async run(req, python, onEvent) {
    controller = new AbortController();
    const backend = await selectBackend(req.backend, { singleThread: true });
    const store = await IdbResultStore.open();
    try {
      const result = await runExperiment({
        preset: experimentPreset(req.preset),
        seeds: req.seeds,
        variants: variantsByName(req.variants),
        data: parseExperimentData(req.data),
        python: { check: (kind, payload, options) => python.check(kind, payload, options) },
        store,
        onEvent: (e) => onEvent(e),
        signal: controller.signal,
        pool: dataParallel(backend.backend),
      });
      return { ...result, backend };
    } finally {
      store.close();
      controller = null;
    }
  },
  stop() {
    controller?.abort();
  },
};
Comlink.expose(api);
