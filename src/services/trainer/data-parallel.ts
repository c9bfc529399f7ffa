/**
 * Data-parallel training on the CPU (docs/performance.md, "Data-parallel workers"). tfjs-wasm runs
 * only its matmuls on threads (XNNPACK); norms, softmax, RoPE, transposes and the rest of a step run
 * on one. So instead of splitting each op, the step's rows are split (core/train/shard.ts): this
 * instance (the leader) and `replicas` other tfjs instances, one wasm thread each, compute one shard
 * of every micro-batch at the same time, and the leader adds the gradients and runs the optimizer.
 * The replicas hold copies of the model: the leader sends the parameters when they changed (after
 * each optimizer step). The sum over shards is the micro-batch's loss and gradient (the shards
 * carry the micro-batch's denominators), so a data-parallel step computes the same step as one
 * instance, up to float summation order.
 *
 * If a replica fails (an error, a crashed worker), its shard is computed here instead, the pool
 * stops using replicas (width 1 from then on) and `onFailure` says why: the run goes on.
 */
import * as tf from '@tensorflow/tfjs';
import type { LossWeights } from '../../core/distill/loss.ts';
import type { LlamaModel } from '../../core/model/llama.ts';
import type { HostBatch } from '../../core/train/batch.ts';
import type { GradMap } from '../../core/train/grads.ts';
import { lossAndGrads, sumShardGrads, type GradientRunner, type MicroBatchGrads } from '../../core/train/step.ts';
import type { ParamValue, ReplicaPort, ReplicaReply } from './replica.ts';

interface Replica {
  port: ReplicaPort;
  /** The parameter version it holds (the optimizer step it last received), -1 = none. */
  version: number;
  pending: Map<number, (r: ReplicaReply) => void>;
}

export class DataParallelPool implements GradientRunner {
  private failed: string | null = null;
  private nextId = 1;

  private constructor(
    private readonly replicas: Replica[],
    private readonly onFailure: (message: string) => void,
  ) {}

  /**
   * Opens the replicas for `model` (a from-scratch model: every parameter is trained, so the parameters
   * the leader sends are the whole model). Throws if a replica cannot start; nothing is left running.
   */
  static async start(
    ports: ReplicaPort[],
    model: LlamaModel,
    onFailure: (message: string) => void = () => {},
  ): Promise<DataParallelPool> {
    if (model.trainable !== model.params)
      throw new Error('data-parallel training needs a model whose every parameter is trained (not a LoRA adapter)');
    const replicas: Replica[] = ports.map((port) => ({ port, version: -1, pending: new Map() }));
    const ready = replicas.map(
      (r) =>
        new Promise<void>((resolve, reject) => {
          r.port.onReply((reply) => {
            if (reply.type === 'ready') return resolve();
            if (reply.type === 'error' && reply.id === null) {
              reject(new Error(reply.message));
              // A crash after start: fail whatever waits on this replica.
              for (const done of r.pending.values()) done(reply);
              r.pending.clear();
              return;
            }
            if (reply.type === 'error' || reply.type === 'grads') {
              const done = reply.id === null ? undefined : r.pending.get(reply.id);
              if (reply.id !== null) r.pending.delete(reply.id);
              done?.(reply);
            }
          });
          r.port.post({ type: 'init', config: model.config });
        }),
    );
    try {
      await Promise.all(ready);
    } catch (e) {
      for (const r of replicas) r.port.terminate();
      throw new Error(`a data-parallel replica could not start: ${(e as Error).message}`);
    }
    return new DataParallelPool(replicas, onFailure);
  }

  /** This instance plus its working replicas. */
  get width(): number {
    return this.failed ? 1 : this.replicas.length + 1;
  }

  async run(model: LlamaModel, shards: readonly HostBatch[], weights: LossWeights, version: number): Promise<MicroBatchGrads> {
    const remote = this.failed ? [] : shards.slice(1, this.replicas.length + 1);
    const local = [shards[0]!, ...shards.slice(1 + remote.length)];
    const params = remote.some((_, i) => this.replicas[i]!.version !== version) ? await readParams(model) : null;
    const replies = remote.map((shard, i) => this.request(this.replicas[i]!, shard, weights, version, params));
    const results: MicroBatchGrads[] = [];
    try {
      for (const host of local) results.push(lossAndGrads(model, host, weights));
      const got = await Promise.all(replies);
      for (let i = 0; i < got.length; i++) {
        const reply = got[i]!;
        if (reply.type === 'grads') {
          results.push(uploadGrads(model, reply));
          continue;
        }
        const message = reply.type === 'error' ? reply.message : `unexpected reply ${reply.type}`;
        if (!this.failed) {
          this.failed = message;
          this.onFailure(`a data-parallel replica failed (${message}); training continues on this worker alone`);
        }
        results.push(lossAndGrads(model, remote[i]!, weights));
      }
    } catch (e) {
      for (const r of results) tf.dispose([r.parts, ...r.grads.values()]);
      throw e;
    }
    return sumShardGrads(results);
  }

  private request(
    r: Replica,
    shard: HostBatch,
    weights: LossWeights,
    version: number,
    params: ParamValue[] | null,
  ): Promise<ReplicaReply> {
    const id = this.nextId++;
    const send = r.version !== version ? params : null;
    return new Promise((resolve) => {
      r.pending.set(id, resolve);
      try {
        r.port.post({ type: 'grads', id, params: send, shard, weights });
        if (send) r.version = version;
      } catch (e) {
        r.pending.delete(id);
        resolve({ type: 'error', id, message: (e as Error).message });
      }
    });
  }

  dispose(): void {
    for (const r of this.replicas) {
      r.port.terminate();
      for (const done of r.pending.values()) done({ type: 'error', id: null, message: 'the pool was closed' });
      r.pending.clear();
    }
  }
}

/** The model's parameters as host arrays (wasm/cpu: a copy; never dataSync, docs/platform.md). */
async function readParams(model: LlamaModel): Promise<ParamValue[]> {
  const out: ParamValue[] = [];
  for (const [name, v] of model.params) out.push({ name, shape: [...v.shape], data: (await v.data()) as Float32Array });
  return out;
}

function uploadGrads(model: LlamaModel, reply: Extract<ReplicaReply, { type: 'grads' }>): MicroBatchGrads {
  const grads: GradMap = new Map();
  const byName = new Map(reply.grads.map((g) => [g.name, g]));
  for (const [name, v] of model.trainable) {
    const g = byName.get(name);
    if (!g || g.shape.join(',') !== v.shape.join(',')) {
      tf.dispose([...grads.values()]);
      throw new Error(`a replica returned no gradient of shape [${v.shape}] for ${name}`);
    }
    grads.set(name, tf.tensor(g.data, g.shape, 'float32'));
  }
  return { parts: tf.tensor1d(reply.parts, 'float32'), grads };
}
