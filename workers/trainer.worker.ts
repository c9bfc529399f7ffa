/// <reference lib="webworker" />
/**
 * Trainer worker: the trainer service on IndexedDB storage and the browser backend, exposed through
 * comlink. On wasm it runs the single-threaded build and trains from-scratch runs data-parallel: the
 * page's Threads setting is the number of instances (this worker + replicas, docs/performance.md).
 */
import * as Comlink from 'comlink';
import type { TrainerApi } from '../src/api/trainer.ts';
import { selectBackend } from '../src/platform/browser/backend.ts';
import { listenForRuntimeSettings } from '../src/platform/browser/runtime-settings.ts';
import { browserDataParallelWanted, openBrowserReplica } from '../src/platform/browser/replica-port.ts';
import { IdbStore } from '../src/platform/browser/store.ts';
import { yieldToEventLoop } from '../src/platform/yield.ts';
import { createTrainerService } from '../src/services/trainer/service.ts';

const api: TrainerApi = createTrainerService({
  selectBackend: (pref) => selectBackend(pref, { singleThread: true }),
  dataParallel: { instances: browserDataParallelWanted, openReplica: openBrowserReplica },
  openStore: () => IdbStore.open(),
  yieldFn: yieldToEventLoop,
});
// The page's first message carries the runtime settings (wasm threads); consumed before comlink sees it.
listenForRuntimeSettings(self);
Comlink.expose(api);
