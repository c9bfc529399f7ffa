/**
 * The data-parallel replica protocol (services/trainer/data-parallel.ts and replica.ts): plain data
 * (typed arrays), the same over a browser Worker and Node's worker_threads. Requests are answered one
 * at a time, each reply carrying its request's id; id null = the replica is gone (crashed, exited).
 */
import type { LossWeights } from '../core/distill/loss.ts';
import type { LlamaConfig } from '../core/model/config.ts';
import type { HostBatch } from '../core/train/batch.ts';
import type { ExchangeHandle } from '../core/train/exchange.ts';

export interface ParamValue {
  name: string;
  shape: number[];
  data: Float32Array;
}

export type ReplicaRequest =
  | { type: 'init'; id: number; config: LlamaConfig }
  | {
      type: 'grads';
      id: number;
      params: ParamValue[] | null;
      shards: HostBatch[];
      weights: LossWeights;
      /** The step's shared exchange of split pairs' KL targets (exchange.ts); null without shared memory. */
      exchange: ExchangeHandle | null;
    };

export type ReplicaReply =
  | { type: 'ready'; id: number; backend: string }
  | { type: 'grads'; id: number; parts: Float32Array; grads: ParamValue[] }
  | { type: 'error'; id: number | null; message: string };

/** One endpoint of a replica (platform: a browser Worker or a Node worker thread). */
export interface ReplicaPort {
  post(msg: ReplicaRequest, transfer?: ArrayBuffer[]): void;
  /** Every reply; a crash of the replica arrives as an `error` reply with id null. */
  onReply(listener: (reply: ReplicaReply) => void): void;
  terminate(): void;
}
