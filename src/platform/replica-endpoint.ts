/**
 * What every data-parallel replica transport shares (a browser Worker, a Node worker thread): one reply
 * listener, and once the replica is gone (closed here, failed to load, crashed, exited) an error reply
 * for every request instead of a wait that never ends. The first reason is kept.
 */
import type { ReplicaPort, ReplicaReply, ReplicaRequest } from '../api/replica.ts';

export interface ReplicaEndpoint {
  port: ReplicaPort;
  /** A reply from the replica. */
  reply(r: ReplicaReply): void;
  /** The replica is gone: tell whoever listens (id null), once. */
  fail(why: string): void;
}

export function replicaEndpoint(
  send: (msg: ReplicaRequest, transfer: ArrayBuffer[]) => void,
  stop: () => void,
): ReplicaEndpoint {
  let listener: (r: ReplicaReply) => void = () => {};
  let gone: string | null = null;
  return {
    reply: (r) => listener(r),
    fail(why) {
      if (gone !== null) return;
      gone = why;
      stop();
      listener({ type: 'error', id: null, message: why });
    },
    port: {
      post(msg, transfer) {
        if (gone === null) return send(msg, transfer ?? []);
        // A request to a replica that is gone gets its error reply (asynchronously, as a real reply would).
        const why = gone;
        queueMicrotask(() => listener({ type: 'error', id: msg.id, message: why }));
      },
      onReply: (l) => (listener = l),
      terminate() {
        gone ??= 'the replica was closed';
        stop();
      },
    },
  };
}
