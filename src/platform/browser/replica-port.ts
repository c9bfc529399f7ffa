/**
 * Opens a data-parallel replica (services/trainer/data-parallel.ts) in a dedicated worker, from the
 * trainer worker. The page's Threads setting is the number of instances: the trainer and
 * threads − 1 replicas, each on one wasm thread (docs/performance.md, "Data-parallel workers").
 */
import type { ReplicaPort, ReplicaReply } from '../../api/replica.ts';
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
  let listener: (r: ReplicaReply) => void = () => {};
  /** Why the worker can no longer answer (closed here, failed to load, crashed); null while it runs. */
  let gone: string | null = null;
  worker.addEventListener('message', (ev: MessageEvent<ReplicaReply>) => listener(ev.data));
  worker.addEventListener('error', (ev) => {
    ev.preventDefault();
    gone ??= `the replica worker failed: ${ev.message || 'it did not load'}`;
    worker.terminate();
    listener({ type: 'error', id: null, message: gone });
  });
  return {
    post: (msg, transfer) => {
      if (gone === null) return worker.postMessage(msg, transfer ?? []);
      const why = gone;
      queueMicrotask(() => listener({ type: 'error', id: msg.id, message: why }));
    },
    onReply: (l) => (listener = l),
    terminate: () => {
      gone ??= 'the replica was closed';
      worker.terminate();
    },
  };
}
