/**
 * Opens a data-parallel replica (services/trainer/data-parallel.ts) in a dedicated worker, from the
 * trainer worker. The page's Threads setting is the number of instances: the trainer and
 * threads − 1 replicas, each on one wasm thread (docs/performance.md, "Data-parallel workers").
 */
import type { ReplicaPort, ReplicaReply } from '../../api/replica.ts';
import { replicaEndpoint } from '../replica-endpoint.ts';
import { wasmThreadsWanted } from './backend.ts';

/** Instances for data-parallel training: the Threads setting (else every core), at most 8. */
export function browserDataParallelWanted(): number {
  return Math.min(8, wasmThreadsWanted());
}

export function openBrowserReplica(): ReplicaPort {
  const worker = new Worker(new URL('../../../workers/replica.worker.ts', import.meta.url), {
    type: 'module',
    name: 'replica',
  });
  const ep = replicaEndpoint(
    (msg, transfer) => worker.postMessage(msg, transfer),
    () => worker.terminate(),
  );
  worker.addEventListener('message', (ev: MessageEvent<ReplicaReply>) => ep.reply(ev.data));
  worker.addEventListener('error', (ev) => {
    ev.preventDefault();
    ep.fail(`the replica worker failed: ${ev.message || 'it did not load'}`);
  });
  return ep.port;
}
