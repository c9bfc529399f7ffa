// Over 300 lines: the model class (params, init, HF conversion, forward, KV cache); run() is embedding → (attention block + feed-forward block) × layers → norm, each block its own method.
/**
 * A decoder-only Llama model in TensorFlow.js: embedding, RMSNorm, rotary position embedding
 * (Hugging Face rotate-half convention), grouped-query attention, SwiGLU, final norm, tied or
 * untied output head. Forward takes explicit position ids and a per-row key visibility so a
 * student row can hide reflection blocks while keeping the teacher's positions (docs/METHOD.md §3).
 *
 * Parameters are tf.Variables keyed by Hugging Face names. Linear weights are stored transposed,
 * [in, out], so that every weight matmul is a plain 2-D x @ W (the wasm fast path); toHF/fromHF
 * convert between this layout and Hugging Face's [out, in].
 */
import * as tf from '@tensorflow/tfjs';
import { CheckpointError, ShapeError } from '../errors.ts';
import { Rng } from '../rng.ts';
import { headDim, validateConfig, type LlamaConfig } from './config.ts';
import {
  applyRope,
  cachedCausalBias,
  embed,
  embedColumns,
  groupedAttention,
  linear,
  rmsNorm,
  ropeTables,
  visibilityBias,
} from './ops.ts';
import { frozenEmbed, frozenLinear } from './frozen.ts';
import { ropeTablesFromInvFreq, scaledInvFreq } from './rope-scaling.ts';

export const EMBED = 'model.embed_tokens.weight';
export const FINAL_NORM = 'model.norm.weight';
export const LM_HEAD = 'lm_head.weight';
export const LINEARS = [
  'self_attn.q_proj',
  'self_attn.k_proj',
  'self_attn.v_proj',
  'self_attn.o_proj',
  'mlp.gate_proj',
  'mlp.up_proj',
  'mlp.down_proj',
] as const;
export type LinearName = (typeof LINEARS)[number];

export const layerName = (i: number, part: string) => `model.layers.${i}.${part}.weight`;
const biasName = (i: number, part: string) => `model.layers.${i}.${part}.bias`;

/** The linear layers of a block that carry a bias under this config. */
export function biasedLinears(c: LlamaConfig): LinearName[] {
  const out: LinearName[] = [];
  if (c.attentionBias) out.push('self_attn.q_proj', 'self_attn.k_proj', 'self_attn.v_proj');
  if (c.attentionBias === 'qkvo') out.push('self_attn.o_proj');
  if (c.mlpBias) out.push('mlp.gate_proj', 'mlp.up_proj', 'mlp.down_proj');
  return out;
}

/** Every parameter name with its Hugging Face shape, in Hugging Face order. */
export function hfParamShapes(c: LlamaConfig): Map<string, number[]> {
  const kvDim = c.nKvHeads * headDim(c);
  const m = new Map<string, number[]>();
  m.set(EMBED, [c.vocabSize, c.dim]);
  for (let i = 0; i < c.nLayers; i++) {
    m.set(layerName(i, 'input_layernorm'), [c.dim]);
    m.set(layerName(i, 'self_attn.q_proj'), [c.dim, c.dim]);
    m.set(layerName(i, 'self_attn.k_proj'), [kvDim, c.dim]);
    m.set(layerName(i, 'self_attn.v_proj'), [kvDim, c.dim]);
    m.set(layerName(i, 'self_attn.o_proj'), [c.dim, c.dim]);
    m.set(layerName(i, 'post_attention_layernorm'), [c.dim]);
    m.set(layerName(i, 'mlp.gate_proj'), [c.ffnDim, c.dim]);
    m.set(layerName(i, 'mlp.up_proj'), [c.ffnDim, c.dim]);
    m.set(layerName(i, 'mlp.down_proj'), [c.dim, c.ffnDim]);
    for (const part of biasedLinears(c)) m.set(biasName(i, part), [m.get(layerName(i, part))![0]]);
  }
  m.set(FINAL_NORM, [c.dim]);
  if (!c.tieEmbeddings) m.set(LM_HEAD, [c.vocabSize, c.dim]);
  return m;
}

/**
 * Stored transposed relative to Hugging Face: linear weights as [in, out], and a TIED embedding
 * as [D, V] — the output head's layout — so neither generation nor training transposes the whole
 * vocabulary matrix in the forward pass (tfjs-wasm's Transpose took 66 ms for 8192×384).
 */
export function isTransposed(name: string, c: LlamaConfig): boolean {
  return name === LM_HEAD || name.endsWith('_proj.weight') || (name === EMBED && c.tieEmbeddings);
}

/** Keys and values of past positions, per layer, after RoPE: [B, KV, Tpast, hd]. */
export class KVCache {
  k: (tf.Tensor4D | null)[];
  v: (tf.Tensor4D | null)[];
  length = 0;
  constructor(nLayers: number) {
    this.k = new Array(nLayers).fill(null);
    this.v = new Array(nLayers).fill(null);
  }
  dispose(): void {
    for (const t of [...this.k, ...this.v]) t?.dispose();
    this.k.fill(null);
    this.v.fill(null);
    this.length = 0;
  }
}

export interface ForwardOptions {
  positions?: tf.Tensor2D;
  keyVisible?: tf.Tensor2D;
}

/** What every layer's attention block shares in one forward pass. */
interface AttentionInputs {
  b: number;
  t: number;
  hd: number;
  cos: tf.Tensor4D;
  sin: tf.Tensor4D;
  bias: tf.Tensor4D;
  cache: KVCache | null;
}

export class LlamaModel {
  readonly config: LlamaConfig;
  readonly params: Map<string, tf.Variable>;
  /** cos/sin for positions 0..maxSeqLen-1 ([maxSeqLen, hd] each), owned until dispose(). */
  private rope: { cos: tf.Tensor2D; sin: tf.Tensor2D } | null;

  private constructor(config: LlamaConfig, params: Map<string, tf.Variable>) {
    this.config = config;
    this.params = params;
    const hd = headDim(config);
    const host = ropeTablesFromInvFreq(config.maxSeqLen, scaledInvFreq(hd, config.ropeTheta, config.ropeScaling));
    this.rope = {
      cos: tf.tensor2d(host.cos, [config.maxSeqLen, hd]),
      sin: tf.tensor2d(host.sin, [config.maxSeqLen, hd]),
    };
  }

  toHF(name: string, t: tf.Tensor): tf.Tensor {
    return isTransposed(name, this.config) ? tf.transpose(t) : tf.clone(t);
  }

  /** The inverse of toHF, which is toHF itself: the layout change is a transpose, and a transpose undoes itself. */
  fromHF(name: string, t: tf.Tensor): tf.Tensor {
    return this.toHF(name, t);
  }

  /** Seeded init: normal(0, 0.02) for matrices (Hugging Face's initializer_range), ones for norms. */
  static init(config: LlamaConfig, seed: number): LlamaModel {
    const c = validateConfig(config);
    const rng = new Rng(seed);
    const params = new Map<string, tf.Variable>();
    for (const [name, shape] of hfParamShapes(c)) {
      const size = shape.reduce((a, b) => a * b, 1);
      const data = new Float32Array(size);
      if (name.endsWith('.bias')) data.fill(0);
      else if (shape.length === 1) data.fill(1);
      else for (let i = 0; i < size; i++) data[i] = 0.02 * rng.normal();
      const stored = isTransposed(name, c) ? [shape[1], shape[0]] : shape;
      // Values drawn in HF layout then written as stored layout: transpose on the host.
      const host = isTransposed(name, c) ? transposeHost(data, shape[0], shape[1]) : data;
      const init = tf.tensor(host, stored, 'float32');
      params.set(name, tf.variable(init, true));
      init.dispose();
    }
    return new LlamaModel(c, params);
  }

  /**
   * Builds a model from Hugging Face-layout tensors (the caller keeps ownership of them).
   * Names and shapes are checked first, so a bad checkpoint loads nothing.
   */
  static fromHFTensors(config: LlamaConfig, tensors: Map<string, tf.Tensor>): LlamaModel {
    const c = validateConfig(config);
    const expected = hfParamShapes(c);
    const missing = [...expected.keys()].filter((n) => !tensors.has(n));
    if (missing.length)
      throw new CheckpointError(
        `checkpoint is missing ${missing.length} tensor(s): ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`,
      );
    // Tolerated extras: a tied checkpoint that also stores lm_head, and old HF rotary caches.
    const extra = [...tensors.keys()].filter(
      (n) => !expected.has(n) && !(c.tieEmbeddings && n === LM_HEAD) && !n.endsWith('rotary_emb.inv_freq'),
    );
    if (extra.length)
      throw new CheckpointError(
        `checkpoint has unexpected tensor(s) for this config: ${extra.slice(0, 5).join(', ')}${extra.length > 5 ? ', …' : ''}`,
      );
    for (const [name, shape] of expected) {
      const t = tensors.get(name)!;
      if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
        throw new CheckpointError(`tensor ${name}: expected shape [${shape}] for this config, found [${t.shape}]`);
      }
      if (t.dtype !== 'float32') throw new CheckpointError(`tensor ${name}: expected float32, found ${t.dtype}`);
    }
    const params = new Map<string, tf.Variable>();
    for (const name of expected.keys()) {
      const stored = tf.tidy(() =>
        isTransposed(name, c) ? tf.transpose(tensors.get(name)!) : tensors.get(name)!.clone(),
      );
      params.set(name, tf.variable(stored, true));
      stored.dispose();
    }
    return new LlamaModel(c, params);
  }

  /**
   * Takes ownership of variables already in the stored layout (see isTransposed), e.g. built one
   * tensor at a time by a shard-by-shard loader. Names and shapes must match the config exactly;
   * on a mismatch nothing is taken and the caller still owns (and disposes) them.
   */
  static fromVariables(config: LlamaConfig, params: Map<string, tf.Variable>): LlamaModel {
    const c = validateConfig(config);
    const expected = hfParamShapes(c);
    for (const [name, shape] of expected) {
      const v = params.get(name);
      if (!v) throw new CheckpointError(`model is missing tensor ${name}`);
      const stored = isTransposed(name, c) ? [shape[1], shape[0]] : shape;
      if (v.shape.length !== stored.length || v.shape.some((d, i) => d !== stored[i]))
        throw new CheckpointError(`tensor ${name}: expected stored shape [${stored}], found [${v.shape}]`);
    }
    const extra = [...params.keys()].filter((n) => !expected.has(n));
    if (extra.length)
      throw new CheckpointError(`unexpected tensor(s) for this config: ${extra.slice(0, 5).join(', ')}`);
    return new LlamaModel(c, params);
  }

  /** A fresh map of Hugging Face-layout copies of every parameter (the caller disposes them). */
  toHFTensors(): Map<string, tf.Tensor> {
    const out = new Map<string, tf.Tensor>();
    for (const [name, v] of this.params) out.set(name, this.toHF(name, v));
    return out;
  }

  private p(name: string): tf.Variable {
    const v = this.params.get(name);
    if (!v) throw new Error(`parameter ${name} does not exist (model disposed?)`);
    return v;
  }

  /**
   * logits float32 [B, T, V]. Query q of row b sees key k iff k ≤ q and (keyVisible[b, k] = 1 or
   * k = q); hidden keys get a -1e9 bias. positions (int32 [B, T], default 0…T-1) must lie in
   * [0, maxSeqLen): they index the precomputed RoPE tables.
   */
  forward(inputIds: tf.Tensor2D, opts: ForwardOptions = {}): tf.Tensor3D {
    const [b, t] = inputIds.shape;
    this.checkIds(inputIds, opts);
    return tf.tidy(() => {
      const positions = opts.positions ?? (tf.tile(tf.range(0, t, 1, 'int32').reshape([1, t]), [b, 1]) as tf.Tensor2D); // [B, T]
      const bias = visibilityBias(b, t, opts.keyVisible); // [B|1, 1, T, T]
      return tf.reshape(this.head(this.run(inputIds, positions, bias, null)), [
        b,
        t,
        this.config.vocabSize,
      ]) as tf.Tensor3D;
    });
  }

  /**
   * The final-normed hidden states [B·T, D] (row-major over B then T), before the output head.
   * Losses that read only some positions gather rows here and call head() on those alone, so the
   * [T, V] logits of unlabelled positions are never computed.
   */
  forwardHidden(inputIds: tf.Tensor2D, opts: ForwardOptions = {}): tf.Tensor2D {
    const [b, t] = inputIds.shape;
    this.checkIds(inputIds, opts);
    return tf.tidy(() => {
      const positions = opts.positions ?? (tf.tile(tf.range(0, t, 1, 'int32').reshape([1, t]), [b, 1]) as tf.Tensor2D); // [B, T]
      const bias = visibilityBias(b, t, opts.keyVisible); // [B|1, 1, T, T]
      return this.run(inputIds, positions, bias, null);
    });
  }

  /** Output head: hidden [M, D] → logits [M, V]. */
  head(hidden: tf.Tensor2D): tf.Tensor2D {
    const c = this.config;
    const w = (c.tieEmbeddings ? this.p(EMBED) : this.p(LM_HEAD)) as tf.Tensor2D; // [D, V] either way
    const logits = this.frozenBase ? frozenLinear(hidden, w) : linear(hidden, w);
    return this.headHook ? tf.add(logits, this.headHook(hidden)) : logits;
  }

  /**
   * Forward over new tokens [B, Tn] after the cached positions (positions cache.length…), plain
   * causal attention; appends their keys/values to the cache. Returns logits [B, Tn, V].
   */
  forwardCached(inputIds: tf.Tensor2D, cache: KVCache): tf.Tensor3D {
    const [b, t] = inputIds.shape;
    if (cache.length + t > this.config.maxSeqLen)
      throw new ShapeError(`sequence of ${cache.length + t} tokens exceeds maxSeqLen ${this.config.maxSeqLen}`);
    const past = cache.length;
    const logits = tf.tidy(() => {
      const positions = tf.tile(tf.range(past, past + t, 1, 'int32').reshape([1, t]), [b, 1]) as tf.Tensor2D; // [B, Tn]
      return tf.reshape(this.head(this.run(inputIds, positions, cachedCausalBias(past, t), cache)), [
        b,
        t,
        this.config.vocabSize,
      ]) as tf.Tensor3D;
    });
    cache.length = past + t;
    return logits;
  }

  private checkIds(inputIds: tf.Tensor2D, opts: ForwardOptions): void {
    const [b, t] = inputIds.shape;
    if (inputIds.rank !== 2) throw new ShapeError(`inputIds: expected rank 2 [B, T], found [${inputIds.shape}]`);
    if (t > this.config.maxSeqLen)
      throw new ShapeError(`inputIds: T = ${t} exceeds maxSeqLen ${this.config.maxSeqLen}`);
    for (const [key, tensor] of [
      ['positions', opts.positions],
      ['keyVisible', opts.keyVisible],
    ] as const) {
      if (tensor && (tensor.rank !== 2 || tensor.shape[0] !== b || tensor.shape[1] !== t)) {
        throw new ShapeError(`${key}: expected shape [${b}, ${t}] like inputIds, found [${tensor.shape}]`);
      }
    }
  }

  /** The decoder stack: final-normed hidden states [B·T, D]. */
  private run(inputIds: tf.Tensor2D, positions: tf.Tensor2D, bias: tf.Tensor4D, cache: KVCache | null): tf.Tensor2D {
    const c = this.config;
    const [b, t] = inputIds.shape;
    const hd = headDim(c);
    const n = b * t;
    const { cos, sin } = ropeTables(positions, this.ropeTable()); // [B, 1, T, hd]
    const flatIds = tf.reshape(tf.cast(inputIds, 'int32'), [n]) as tf.Tensor1D; // [N]
    let x = this.frozenBase
      ? frozenEmbed(this.p(EMBED) as tf.Tensor2D, flatIds, c.tieEmbeddings)
      : c.tieEmbeddings
        ? embedColumns(this.p(EMBED) as tf.Tensor2D, flatIds)
        : embed(this.p(EMBED) as tf.Tensor2D, flatIds); // [N, D]
    if (this.embedHook) x = tf.add(x, this.embedHook(flatIds));
    const at: AttentionInputs = { b, t, hd, cos, sin, bias, cache };
    for (let i = 0; i < c.nLayers; i++) {
      x = tf.add(x, this.attention(i, x, at)); // [N, D]
      x = tf.add(x, this.feedForward(i, x)); // [N, D]
    }
    return rmsNorm(x, this.p(FINAL_NORM), c.normEps) as tf.Tensor2D; // [N, D]
  }

  /** Linear `part` of layer i on x [N, in], plus its bias when the architecture has one (Qwen2's q/k/v). */
  private linear(i: number, part: LinearName, x: tf.Tensor2D): tf.Tensor2D {
    const y = this.project(i, part, x); // [N, out]
    return (biasedLinears(this.config) as readonly string[]).includes(part) ? tf.add(y, this.p(biasName(i, part))) : y;
  }

  /** Layer i's attention block on the residual stream x [N, D]: its output [N, D], to be added to x. */
  private attention(i: number, x: tf.Tensor2D, at: AttentionInputs): tf.Tensor2D {
    const c = this.config;
    const { b, t, hd, cos, sin, bias, cache } = at;
    const heads = (y: tf.Tensor2D, h: number) =>
      tf.transpose(tf.reshape(y, [b, t, h, hd]), [0, 2, 1, 3]) as tf.Tensor4D; // [B, h, T, hd]
    const h = rmsNorm(x, this.p(layerName(i, 'input_layernorm')), c.normEps) as tf.Tensor2D; // [N, D]
    const q = applyRope(heads(this.linear(i, 'self_attn.q_proj', h), c.nHeads), cos, sin); // [B, H, T, hd]
    let k = applyRope(heads(this.linear(i, 'self_attn.k_proj', h), c.nKvHeads), cos, sin); // [B, KV, T, hd]
    let v = heads(this.linear(i, 'self_attn.v_proj', h), c.nKvHeads); // [B, KV, T, hd]
    if (cache) {
      const pk = cache.k[i];
      const pv = cache.v[i];
      if (pk && pv) {
        k = tf.concat([pk, k], 2); // [B, KV, Tpast+T, hd]
        v = tf.concat([pv, v], 2);
      }
      cache.k[i] = tf.keep(k);
      cache.v[i] = tf.keep(v);
      pk?.dispose();
      pv?.dispose();
    }
    const attn = groupedAttention(q, k, v, bias); // [B, H, T, hd]
    const merged = tf.reshape(tf.transpose(attn, [0, 2, 1, 3]), [b * t, c.dim]) as tf.Tensor2D; // [N, D]
    return this.linear(i, 'self_attn.o_proj', merged); // [N, D]
  }

  /** Layer i's SwiGLU feed-forward block on x [N, D]: its output [N, D], to be added to x. */
  private feedForward(i: number, x: tf.Tensor2D): tf.Tensor2D {
    const g = rmsNorm(x, this.p(layerName(i, 'post_attention_layernorm')), this.config.normEps) as tf.Tensor2D; // [N, D]
    const gate = this.linear(i, 'mlp.gate_proj', g); // [N, F]
    const up = this.linear(i, 'mlp.up_proj', g); // [N, F]
    const act = tf.mul(tf.mul(gate, tf.sigmoid(gate)), up) as tf.Tensor2D; // silu(gate) ⊙ up, [N, F]
    return this.linear(i, 'mlp.down_proj', act); // [N, D]
  }

  /**
   * x [N, in] @ W [in, out] for linear `part` of layer i, plus any adapter attached to it
   * (LoRA: see lora.ts). Biases are added by the caller.
   */
  protected project(i: number, part: LinearName, x: tf.Tensor2D): tf.Tensor2D {
    const w = this.p(layerName(i, part)) as tf.Tensor2D;
    const y = this.frozenBase ? frozenLinear(x, w) : linear(x, w);
    const adapter = this.adapters?.get(layerName(i, part));
    return adapter ? tf.add(y, adapter(x)) : y;
  }

  /** Extra terms added to a linear's output, keyed by the linear's weight name (LoRA). */
  adapters: Map<string, (x: tf.Tensor2D) => tf.Tensor2D> | null = null;
  /** Extra term added to the token embeddings [N, D] of ids [N] (trainable new-token rows in LoRA mode). */
  embedHook: ((ids: tf.Tensor1D) => tf.Tensor2D) | null = null;
  /** Extra term added to the logits [M, V] of hidden [M, D] (trainable new-token head rows in LoRA mode). */
  headHook: ((hidden: tf.Tensor2D) => tf.Tensor2D) | null = null;
  /**
   * The variables training updates: every parameter, or — with an adapter attached (lora.ts) —
   * only the adapter's (the base stays frozen and AdamW holds moments for these alone).
   */
  trainableOverride: Map<string, tf.Variable> | null = null;
  /** True while an adapter trains: base weights get no gradient (frozen.ts skips computing it). */
  frozenBase = false;
  get trainable(): Map<string, tf.Variable> {
    return this.trainableOverride ?? this.params;
  }

  private ropeTable(): { cos: tf.Tensor2D; sin: tf.Tensor2D } {
    if (!this.rope) throw new Error('LlamaModel used after dispose()');
    return this.rope;
  }

  dispose(): void {
    if (this.rope) tf.dispose([this.rope.cos, this.rope.sin]);
    this.rope = null;
    for (const v of this.params.values()) v.dispose();
    this.params.clear();
  }
}

function transposeHost(a: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c];
  return out;
}
