/// <reference lib="webworker" />
/**
 * A data-parallel replica (src/services/trainer/replica.ts), started by the trainer worker: tfjs on
 * the single-threaded wasm SIMD build, requests answered one at a time.
 */
import { selectBackend } from '../src/platform/browser/backend.ts';
import type { ReplicaRequest } from '../src/api/replica.ts';
import { createReplica } from '../src/services/trainer/replica.ts';

const handle = createReplica(() => selectBackend('wasm', { singleThread: true }));
let queue: Promise<void> = Promise.resolve();
self.addEventListener('message', (ev: MessageEvent<ReplicaRequest>) => {
  queue = queue.then(async () => {
    const { reply, transfer } = await handle(ev.data);
    self.postMessage(reply, transfer);
  });
});
