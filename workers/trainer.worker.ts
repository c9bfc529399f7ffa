/// <reference lib="webworker" />
/** Trainer worker: the trainer service on IndexedDB storage and the browser backend, exposed through comlink. */
import * as Comlink from 'comlink';
import type { TrainerApi } from '../src/api/trainer.ts';
import { selectBackend } from '../src/platform/browser/backend.ts';
import { listenForRuntimeSettings } from '../src/platform/browser/runtime-settings.ts';
import { IdbStore } from '../src/platform/browser/store.ts';
import { yieldToEventLoop } from '../src/platform/yield.ts';
import { createTrainerService } from '../src/services/trainer/service.ts';

const api: TrainerApi = createTrainerService({
  selectBackend,
  openStore: () => IdbStore.open(),
  yieldFn: yieldToEventLoop,
});
// The page's first message carries the runtime settings (wasm threads); consumed before comlink sees it.
listenForRuntimeSettings(self);
Comlink.expose(api);
