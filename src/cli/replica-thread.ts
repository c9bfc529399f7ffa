/**
 * A data-parallel replica in a Node worker thread (services/trainer/replica.ts): wasm on one thread,
 * requests answered one at a time. Started by replica-port.ts.
 */
import { parentPort } from 'node:worker_threads';
import type { ReplicaRequest } from '../api/replica.ts';
import { selectNodeBackend } from '../platform/node/backend.ts';
import { createReplica } from '../services/trainer/replica.ts';

const port = parentPort;
if (!port) throw new Error('replica-thread.ts runs as a worker thread');
const handle = createReplica(() => selectNodeBackend('wasm'));
let queue: Promise<void> = Promise.resolve();
port.on('message', (msg: ReplicaRequest) => {
  queue = queue.then(async () => {
    const { reply, transfer } = await handle(msg);
    port.postMessage(reply, transfer);
  });
});
