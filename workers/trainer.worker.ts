/// <reference lib="webworker" />
/** Trainer worker: the trainer service on IndexedDB storage and the browser backend, exposed through comlink. */
import * as Comlink from 'comlink';
import type { TrainerApi } from '../src/api/trainer.ts';
import { selectBackend } from '../src/platform/browser/backend.ts';
import { listenForRuntimeSettings } from '../src/platform/browser/runtime-settings.ts';
import { IdbStore } from '../src/platform/browser/store.ts';
import { createTrainerService } from '../src/services/trainer/service.ts';

/** A macrotask via MessageChannel: lets queued comlink messages (pause, stop) run, without setTimeout's 4 ms clamp. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      ch.port1.close();
      resolve();
    };
    ch.port2.postMessage(null);
  });
}

const api: TrainerApi = createTrainerService({ selectBackend, openStore: () => IdbStore.open(), yieldFn: yieldToEventLoop });
// The page's first message carries the runtime settings (wasm threads); consumed before comlink sees it.
listenForRuntimeSettings(self);
Comlink.expose(api);
