/**
 * Data-parallel training on the CPU (docs/performance.md, "Data-parallel workers"). tfjs-wasm runs
 * only its matmuls on threads (XNNPACK); norms, softmax, RoPE, transposes and the rest of a step run
 * on one. So instead of splitting each op, the step's rows are split (core/train/shard.ts): this
 * instance (the leader) and `replicas` other tfjs instances, one wasm thread each, compute one shard
 * of every micro-batch at the same time, and the leader adds the gradients and runs the optimizer.
 * The replicas hold copies of the model: the leader sends the parameters when they changed (after
 * each optimizer step). The sum over shards is the micro-batch's loss and gradient (the shards
 * carry the micro-batch's denominators), so a data-parallel step computes the same step as one
 * instance, up to float summation order. A pair split over two instances hands its teacher's KL target
 * from one to the other through a SharedArrayBuffer (core/train/exchange.ts) that the requests of such a
 * step carry, so no instance runs a teacher's forward pass twice.
 *
 * If a replica fails (an error, a crashed worker), its shard is computed here instead, the pool
 * stops using replicas (one instance from then on) and says why (attach's `say`): the run goes on.
 * The replicas outlive a run: the trainer service keeps the pool for the next run, whose `prepare`
 * only sends the new model's config (their tfjs and wasm memory are warm).
 */
import * as tf from '@tensorflow/tfjs';
import type { LossWeights } from '../../core/distill/loss.ts';
import type { LlamaModel } from '../../core/model/llama.ts';
import type { HostBatch } from '../../core/train/batch.ts';
import type { GradMap } from '../../core/train/grads.ts';
import { canShareMemory, TeacherExchange } from '../../core/train/exchange.ts';
import { localGrads, sumShardGrads, type GradientRunner, type BatchGrads } from '../../core/train/step.ts';
import type { ParamValue, ReplicaPort, ReplicaReply, ReplicaRequest } from '../../api/replica.ts';

interface Replica {
  port: ReplicaPort;
  /** The parameter version it holds (the optimizer step it last received), -1 = none. */
  version: number;
  /** Requests waiting for their reply, by id. */
  pending: Map<number, (r: ReplicaReply) => void>;
}

export class DataParallelPool implements GradientRunner {
  private failed: string | null = null;
  private nextId = 1;
  /** Told when a replica fails during a step (the run goes on here); set per run by attach. */
  private onFailure: (message: string) => void = () => {};
  /** The shared memory of split pairs' KL targets (exchange.ts), grown when a step needs more; one generation per step. */
  private exchange: TeacherExchange | null = null;
  private generation = 0;

  /** Listens to the ports; `attach` gives the replicas a model before the first step. */
  constructor(private readonly replicas: Replica[]) {
    for (const r of replicas) {
      r.port.onReply((reply) => {
        if (reply.id === null) {
          // The replica is gone (crashed, exited): fail whatever waits on it.
          for (const done of r.pending.values()) done(reply);
          r.pending.clear();
          return;
        }
        const done = r.pending.get(reply.id);
        r.pending.delete(reply.id);
        done?.(reply);
      });
    }
  }

  static open(ports: ReplicaPort[]): DataParallelPool {
    return new DataParallelPool(ports.map((port) => ({ port, version: -1, pending: new Map() })));
  }

  /** False once a replica failed: the owner should dispose it and open a new one for the next run. */
  get healthy(): boolean {
    return this.failed === null;
  }

  /**
   * Trains `run` on this pool from its next step: the replicas get its model, and a later failure is told
   * through `say`. False (and said) when a replica cannot take the model: the run trains on one instance.
   */
  async attach(run: { model: LlamaModel; runner: GradientRunner }, say: (message: string) => void): Promise<boolean> {
    this.onFailure = say;
    try {
      await this.prepare(run.model);
    } catch (e) {
      say(`${(e as Error).message}; training on one worker`);
      return false;
    }
    run.runner = this;
    return true;
  }

  /**
   * (Re)creates the model on every replica: a from-scratch model, whose every parameter is trained, so
   * the parameters the leader sends are the whole model. The replicas keep their tfjs (warm) across
   * runs. Throws (and the pool is unhealthy) if a replica cannot start.
   */
  private async prepare(model: LlamaModel): Promise<void> {
    if (model.trainable !== model.params)
      throw new Error('data-parallel training needs a model whose every parameter is trained (not a LoRA adapter)');
    if (this.failed) throw new Error(`a data-parallel replica failed earlier: ${this.failed}`);
    const replies = await Promise.all(
      this.replicas.map((r) => {
        r.version = -1;
        return this.send(r, (id) => ({ type: 'init', id, config: model.config }));
      }),
    );
    const bad = replies.find((x) => x.type !== 'ready');
    if (bad) {
      this.failed = bad.type === 'error' ? bad.message : `unexpected reply ${bad.type}`;
      throw new Error(`a data-parallel replica could not start: ${this.failed}`);
    }
  }

  /** This instance plus its working replicas. */
  get instances(): number {
    return this.failed ? 1 : this.replicas.length + 1;
  }

  /** Steps so far whose split pairs handed their KL targets over in shared memory (exchange.ts). */
  get exchangedSteps(): number {
    return this.generation;
  }

  /** Split pairs hand their KL targets over in shared memory (exchange.ts) while every replica works. */
  get sharesMemory(): boolean {
    return !this.failed && canShareMemory();
  }

  /** The instances this pool was opened with (whether or not a replica has failed since). */
  get size(): number {
    return this.replicas.length + 1;
  }

  async run(
    model: LlamaModel,
    shards: readonly (readonly HostBatch[])[],
    weights: LossWeights,
    version: number,
  ): Promise<BatchGrads> {
    const remote = this.failed ? [] : shards.slice(1, this.replicas.length + 1);
    const local = [...shards[0]!, ...shards.slice(1 + remote.length).flat()];
    const params = remote.some((_, i) => this.replicas[i]!.version !== version) ? await readParams(model) : null;
    const exchange = this.exchangeFor(shards, model.config.vocabSize);
    const replies = remote.map((subs, i) => this.request(this.replicas[i]!, subs, weights, version, params, exchange));
    const results: BatchGrads[] = [];
    try {
      if (local.length > 0) results.push(localGrads(model, local, weights, exchange));
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
        // Its shards here, without the exchange: the teachers it was to publish may never have come, so
        // the students among them run their teachers' forward passes here.
        results.push(localGrads(model, remote[i]!, weights));
      }
    } catch (e) {
      for (const r of results) tf.dispose([r.parts, ...r.grads.values()]);
      throw e;
    }
    return sumShardGrads(results);
  }

  /**
   * This step's exchange (a new generation), grown to the slots and rows its split pairs need; null when the
   * step splits no pair or the instances cannot share memory (then students run their teachers' forward).
   */
  private exchangeFor(shards: readonly (readonly HostBatch[])[], vocab: number): TeacherExchange | null {
    let slots = 0;
    let rows = 0;
    for (const h of shards.flat())
      for (const s of [...(h.teacherSlots ?? []), ...(h.publish ?? []).map((p) => p.slot)]) {
        slots = Math.max(slots, s.slot + 1);
        rows = Math.max(rows, s.rowOffset + s.k);
      }
    if (slots === 0 || !this.sharesMemory) return null;
    const generation = ++this.generation;
    const ex = this.exchange;
    if (ex && ex.handle.vocab === vocab && ex.fits(slots, rows)) {
      this.exchange = new TeacherExchange({ ...ex.handle, generation });
    } else {
      // Room to grow: a later step's split pairs are often longer.
      this.exchange = TeacherExchange.create(Math.max(2 * slots, 16), 2 * rows, vocab, generation);
    }
    return this.exchange;
  }

  private request(
    r: Replica,
    shards: readonly HostBatch[],
    weights: LossWeights,
    version: number,
    params: ParamValue[] | null,
    exchange: TeacherExchange | null,
  ): Promise<ReplicaReply> {
    const send = r.version !== version ? params : null;
    const reply = this.send(r, (id) => ({
      type: 'grads',
      id,
      params: send,
      shards: [...shards],
      weights,
      exchange: exchange?.handle ?? null,
    }));
    if (send) r.version = version;
    return reply;
  }

  /** Posts a request and resolves with its reply (an error reply if the post itself fails). */
  private send(r: Replica, msg: (id: number) => ReplicaRequest): Promise<ReplicaReply> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      r.pending.set(id, resolve);
      try {
        r.port.post(msg(id));
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

/**
 * The pool for `instances` (null for 1): `current` when it is healthy and of that size, else `current`
 * closed and a new pool opened (its ports closed again if one cannot be opened).
 */
export function poolFor(
  current: DataParallelPool | null,
  instances: number,
  openReplica: () => ReplicaPort,
): DataParallelPool | null {
  if (current?.healthy && current.size === instances) return current;
  current?.dispose();
  if (instances <= 1) return null;
  const ports: ReplicaPort[] = [];
  try {
    for (let i = 1; i < instances; i++) ports.push(openReplica());
  } catch (e) {
    for (const p of ports) p.terminate();
    throw e;
  }
  return DataParallelPool.open(ports);
}

/** The model's parameters as host arrays (wasm/cpu: a copy; never dataSync, docs/platform.md). */
async function readParams(model: LlamaModel): Promise<ParamValue[]> {
  const out: ParamValue[] = [];
  for (const [name, v] of model.params) out.push({ name, shape: [...v.shape], data: (await v.data()) as Float32Array });
  return out;
}

function uploadGrads(model: LlamaModel, reply: Extract<ReplicaReply, { type: 'grads' }>): BatchGrads {
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
