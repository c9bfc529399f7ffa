/**
 * The replica side of data-parallel training (data-parallel.ts): a copy of the model in its own tfjs
 * instance (a worker, one wasm thread) that computes the loss parts and gradients (summed) of the
 * sub-batches the leader sends. It holds no optimizer: the leader sends the parameters whenever they changed, so the
 * replica's model is the leader's, bit for bit, for every shard it computes.
 * The message protocol: src/api/replica.ts.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendChoice } from '../../api/backend.ts';
import { validateConfig } from '../../core/model/config.ts';
import type { ParamValue, ReplicaReply, ReplicaRequest } from '../../api/replica.ts';
import { LlamaModel } from '../../core/model/llama.ts';
import { TeacherExchange } from '../../core/train/exchange.ts';
import { localGrads } from '../../core/train/step.ts';

/**
 * Answers a replica's requests. `selectBackend` starts its tfjs (wasm on one thread) before the first model;
 * `init` (re)creates the model, so one replica serves run after run with its wasm warm.
 */
export function createReplica(selectBackend: () => Promise<BackendChoice>) {
  let model: LlamaModel | null = null;
  /** Whether `model` holds the leader's parameters yet (they come with the first shard after init). */
  let hasParams = false;
  let backend: Promise<BackendChoice> | null = null;
  return async function handle(msg: ReplicaRequest): Promise<{ reply: ReplicaReply; transfer: ArrayBuffer[] }> {
    const id = msg.id;
    try {
      backend ??= selectBackend();
      const b = await backend;
      if (msg.type === 'init') {
        model?.dispose();
        model = null;
        hasParams = false;
        // Initial values do not matter: the leader's parameters arrive with the first shard.
        model = LlamaModel.init(validateConfig(msg.config), 0);
        return { reply: { type: 'ready', id: msg.id, backend: b.backend }, transfer: [] };
      }
      if (!model) throw new Error('the replica received a shard before its model (init)');
      if (msg.params) {
        setParams(model, msg.params);
        hasParams = true;
      } else if (!hasParams) throw new Error('the replica received a shard before any parameters');
      const exchange = msg.exchange ? new TeacherExchange(msg.exchange) : null;
      const { parts, grads } = localGrads(model, msg.shards, msg.weights, exchange);
      try {
        const partsData = (await parts.data()) as Float32Array;
        const out: ParamValue[] = [];
        for (const [name, g] of grads) out.push({ name, shape: [...g.shape], data: (await g.data()) as Float32Array });
        return {
          reply: { type: 'grads', id: msg.id, parts: partsData, grads: out },
          transfer: [partsData.buffer as ArrayBuffer, ...out.map((p) => p.data.buffer as ArrayBuffer)],
        };
      } finally {
        tf.dispose([parts, ...grads.values()]);
      }
    } catch (e) {
      return { reply: { type: 'error', id, message: (e as Error).message }, transfer: [] };
    }
  };
}

function setParams(model: LlamaModel, params: ParamValue[]): void {
  if (params.length !== model.params.size)
    throw new Error(`expected ${model.params.size} parameters from the leader, received ${params.length}`);
  for (const p of params) {
    const v = model.params.get(p.name);
    if (!v) throw new Error(`the leader sent an unknown parameter ${p.name}`);
    if (v.shape.join(',') !== p.shape.join(','))
      throw new Error(`parameter ${p.name}: expected shape [${v.shape}], received [${p.shape}]`);
    const t = tf.tensor(p.data, p.shape, 'float32');
    v.assign(t);
    t.dispose();
  }
}
