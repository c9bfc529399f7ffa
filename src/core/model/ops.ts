/**
 * The building blocks of the Llama forward pass, written with tfjs ops that have kernels and
 * gradients on cpu, wasm and webgpu (docs/platform.md): no tf.gather gradient (wasm has no
 * UnsortedSegmentSum; the embedding's gradient is a ScatterNd instead), no rank-5 tile, and 2-D
 * matmuls without transpose flags where the weights are involved (the wasm fast path).
 */
import * as tf from '@tensorflow/tfjs';

/** A bias that hides a key: large and finite, so a softmax row never becomes NaN (docs/METHOD.md §3). */
export const HIDDEN_BIAS = -1e9;

/**
 * x [N, in] @ w [in, out] → [N, out]. The gradient is written with explicit transposes followed
 * by plain 2-D matmuls: tfjs-wasm runs matmuls with a transposed operand ~10× slower, and a
 * transpose is O(n²) against the matmul's O(n³).
 */
export const linear = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, w, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([x, w]);
  return {
    value: tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D), // [N, out]
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
      const dx = tf.matMul(dy as tf.Tensor2D, tf.transpose(ws)); // [N, in]
      const dw = tf.matMul(tf.transpose(xs), dy as tf.Tensor2D); // [in, out]
      return [dx, dw];
    },
  };
}) as (x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor2D;

/**
 * Token embedding: rows of table [V, D] for ids [N] → [N, D]. Forward is a gather (fast on every
 * backend). The gradient adds each dy row into its id's row: a ScatterNd, which sums repeated ids
 * on cpu, wasm and webgpu alike. gather's own gradient needs UnsortedSegmentSum, which wasm lacks;
 * the one-hot matmul used before cost 2·N·V·D FLOPs for N·D additions (mini, 512 tokens: ~16 ms
 * of a ~220 ms step on wasm, against ~2 ms for the scatter).
 */
export function embed(table: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D {
  return embedOp(table, ids);
}

/** dTable [V, D] for ids [N] and dy [N, D]: dy's rows summed into their ids' rows. */
function scatterRows(ids: tf.Tensor1D, dy: tf.Tensor, vocab: number): tf.Tensor2D {
  return tf.scatterND(tf.reshape(ids, [-1, 1]), dy, [vocab, dy.shape[1] as number]) as tf.Tensor2D;
}

// ids go through save() (not a closure) so tfjs keeps them alive until the backward pass.
const embedOp = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [table, ids, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([ids]);
  const vocab = table.shape[0];
  return {
    value: tf.gather(table, ids as tf.Tensor1D), // [N, D]
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      // ids are integers: no gradient flows to them; a zero keeps customGrad's one-per-input rule.
      return [scatterRows(saved[0] as tf.Tensor1D, dy, vocab), tf.zeros(saved[0].shape)]; // [V, D], [N]
    },
  };
}) as (table: tf.Tensor2D, ids: tf.Tensor1D) => tf.Tensor2D;

/**
 * Embedding from a table stored as columns, [D, V] (a tied embedding shares the output head's
 * layout): ids [N] → [N, D]. Gradient: the rows' scatter (see embed), transposed to [D, V].
 */
export function embedColumns(table: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D {
  return embedColumnsOp(table, ids);
}

const embedColumnsOp = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [table, ids, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([ids]);
  const vocab = table.shape[1] as number;
  return {
    value: tf.transpose(tf.gather(table, ids as tf.Tensor1D, 1)), // [D, N] → [N, D]
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      return [tf.transpose(scatterRows(saved[0] as tf.Tensor1D, dy, vocab)), tf.zeros(saved[0].shape)]; // [D, V], [N]
    },
  };
}) as (table: tf.Tensor2D, ids: tf.Tensor1D) => tf.Tensor2D;

/**
 * One-hot rows as float32. tfjs-wasm's OneHot kernel ignores dtype 'float32' and writes int32
 * bit patterns (1 reads as 1.4e-45), so build int32 and cast.
 */
export function oneHotFloat(ids: tf.Tensor, depth: number): tf.Tensor {
  return tf.cast(tf.oneHot(ids as tf.Tensor1D, depth), 'float32');
}

/**
 * log-softmax over the last axis of x [N, V], through the backends' Softmax kernel. tfjs's logSoftmax
 * is x − max − log Σ exp(x − max) with an elementwise Exp, and its gradient takes Exp again; on wasm
 * that Exp is a scalar loop (≈ 12× slower than the XNNPACK Softmax kernel on [508, 2048]). Here
 * p = softmax(x) and log Σ exp(x) = max(x) − log max(p): max(p) = 1 / Σ exp(x − max) ≥ 1/V never
 * underflows. Gradient: dx = dy − p · Σ dy (p saved from the forward).
 */
export const logSoftmax = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
  const p = tf.softmax(x); // [N, V]
  const lse = tf.sub(tf.max(x, -1, true), tf.log(tf.max(p, -1, true))); // [N, 1]
  save([p]);
  return {
    value: tf.sub(x, lse),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.sub(dy, tf.mul(saved[0], tf.sum(dy, -1, true))),
  };
}) as <T extends tf.Tensor>(x: T) => T;

/** RMSNorm over the last axis: x / sqrt(mean(x²) + eps) · w. x [..., D], w [D]. */
export function rmsNorm(x: tf.Tensor, w: tf.Tensor, eps: number): tf.Tensor {
  const ms = tf.mean(tf.square(x), -1, true); // [..., 1]
  return tf.mul(tf.mul(x, tf.rsqrt(tf.add(ms, eps))), w);
}

/** Inverse RoPE frequencies theta^(-2i/hd), i < hd/2, as Hugging Face computes them. */
export function ropeInvFreq(headDim: number, theta: number): Float32Array {
  const out = new Float32Array(headDim / 2);
  for (let i = 0; i < headDim / 2; i++) out[i] = 1 / Math.pow(theta, (2 * i) / headDim);
  return out;
}

/**
 * Host-computed cos/sin tables for positions 0..maxPos-1, [maxPos, hd] each, rotate-half layout
 * (the frequencies repeated for both halves). The angle is rounded to float32 as PyTorch computes
 * it, then cos/sin are taken in float64: WebGPU on SwiftShader has sin/cos errors near 2e-4,
 * which would exceed the fixture tolerance on its own.
 */
export function ropeHostTables(
  maxPos: number,
  headDim: number,
  theta: number,
): { cos: Float32Array; sin: Float32Array } {
  const inv = ropeInvFreq(headDim, theta);
  const half = headDim / 2;
  const cos = new Float32Array(maxPos * headDim);
  const sin = new Float32Array(maxPos * headDim);
  for (let p = 0; p < maxPos; p++) {
    for (let i = 0; i < half; i++) {
      const a = Math.fround(p * inv[i]);
      cos[p * headDim + i] = cos[p * headDim + half + i] = Math.cos(a);
      sin[p * headDim + i] = sin[p * headDim + half + i] = Math.sin(a);
    }
  }
  return { cos, sin };
}

/** Rows of the cos/sin tables [maxPos, hd] for positions [B, T] → [B, 1, T, hd] each (no gradient needed). */
export function ropeTables(
  positions: tf.Tensor2D,
  table: { cos: tf.Tensor2D; sin: tf.Tensor2D },
): { cos: tf.Tensor4D; sin: tf.Tensor4D } {
  const [b, t] = positions.shape;
  const hd = table.cos.shape[1];
  const idx = tf.reshape(tf.cast(positions, 'int32'), [b * t]); // [B·T]
  return {
    cos: tf.reshape(tf.gather(table.cos, idx), [b, 1, t, hd]) as tf.Tensor4D,
    sin: tf.reshape(tf.gather(table.sin, idx), [b, 1, t, hd]) as tf.Tensor4D,
  };
}

/** Rotary embedding, rotate-half convention: x·cos + rotate_half(x)·sin. x [B, H, T, hd]. */
export function applyRope(x: tf.Tensor4D, cos: tf.Tensor4D, sin: tf.Tensor4D): tf.Tensor4D {
  const [b, h, t, hd] = x.shape;
  const half = hd / 2;
  const x1 = tf.slice(x, [0, 0, 0, 0], [b, h, t, half]); // [B, H, T, hd/2]
  const x2 = tf.slice(x, [0, 0, 0, half], [b, h, t, half]); // [B, H, T, hd/2]
  const rotated = tf.concat([tf.neg(x2), x1], 3); // [B, H, T, hd]
  return tf.add(tf.mul(x, cos), tf.mul(rotated, sin)) as tf.Tensor4D;
}

/**
 * Scaled dot-product attention with grouped-query heads, without repeating keys/values: query
 * head h = kv·rep + r reads key/value head kv, so q [B, H, T, hd] viewed as [B·KV, rep·T, hd]
 * lines up with k, v [B·KV, Tk, hd] (a free reshape, and no tile, whose gradient is slow on wasm
 * and missing for rank 5). bias [B|1, 1, T, Tk] is added per query head. Returns [B, H, T, hd].
 */
export function groupedAttention(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, bias: tf.Tensor4D): tf.Tensor4D {
  const [b, h, t, hd] = q.shape;
  const kv = k.shape[1];
  const tk = k.shape[2];
  const rep = h / kv;
  // The 1/√hd scale goes on q ([.., T, hd]) rather than on the [.., T, Tk] scores: T·hd multiplies
  // instead of T·Tk, forward and backward.
  const qg = tf.reshape(tf.mul(q, 1 / Math.sqrt(hd)), [b * kv, rep * t, hd]) as tf.Tensor3D; // [B·KV, rep·T, hd]
  const kg = tf.reshape(k, [b * kv, tk, hd]) as tf.Tensor3D; // [B·KV, Tk, hd]
  const vg = tf.reshape(v, [b * kv, tk, hd]) as tf.Tensor3D; // [B·KV, Tk, hd]
  // On wasm, plain 2-D matmuls beat one batched matmul (whose transposed/batched path runs at
  // ~1.2 GFLOP/s): a mini step (hd 32, T 128) was 28% faster; at hd 16 the thin 2-D matmuls lose
  // for short rows but win 3.8x at T 776 (smoke distillation rows: 785 ms → 207 ms for QKᵀ).
  // Other backends: one batched kernel is fewer dispatches.
  if (tf.getBackend() === 'wasm' && (hd >= 32 || tk >= 256) && b * kv > 1) {
    return tf.reshape(perGroupAttention(qg, kg, vg, bias, kv, rep, t), [b, h, t, hd]) as tf.Tensor4D;
  }
  const raw = tf.matMul(qg, kg, false, true); // [B·KV, rep·T, Tk]
  const scores = tf.reshape(raw, [b, h, t, tk]); // [B, H, T, Tk]
  const probs = tf.reshape(tf.softmax(tf.add(scores, bias)), [b * kv, rep * t, tk]) as tf.Tensor3D; // [B·KV, rep·T, Tk]
  const out = tf.matMul(probs, vg); // [B·KV, rep·T, hd]
  return tf.reshape(out, [b, h, t, hd]) as tf.Tensor4D;
}

/**
 * Attention one (row, kv head) group at a time, every product a plain 2-D matmul with explicit
 * transposes in its gradient (linear). Only the small per-head q/k/v and outputs are unstacked or
 * stacked: the [rep·T, Tk] scores and probabilities of a group never leave their 2-D form (tfjs-wasm's
 * Unpack of the stacked [G, rep·T, Tk] probabilities cost more than the matmuls themselves).
 * q [G, rep·T, hd] (already scaled), k, v [G, Tk, hd], bias [B|1, 1, T, Tk] → [G, rep·T, hd].
 */
function perGroupAttention(
  q: tf.Tensor3D,
  k: tf.Tensor3D,
  v: tf.Tensor3D,
  bias: tf.Tensor4D,
  kv: number,
  rep: number,
  t: number,
): tf.Tensor3D {
  const tk = k.shape[1];
  const qs = tf.unstack(q) as tf.Tensor2D[]; // G × [rep·T, hd]
  const ks = tf.unstack(k) as tf.Tensor2D[]; // G × [Tk, hd]
  const vs = tf.unstack(v) as tf.Tensor2D[]; // G × [Tk, hd]
  const biasRows = bias.shape[0];
  const biasOf = biasPerRow(bias); // [1, T, Tk] per row
  const outs = qs.map((qg, g) => {
    const scores = tf.reshape(linear(qg, tf.transpose(ks[g]) as tf.Tensor2D), [rep, t, tk]); // [rep, T, Tk]
    const probs = tf.reshape(tf.softmax(tf.add(scores, biasOf[biasRows === 1 ? 0 : Math.floor(g / kv)])), [
      rep * t,
      tk,
    ]) as tf.Tensor2D; // [rep·T, Tk]
    return linear(probs, vs[g]); // [rep·T, hd]
  });
  return tf.stack(outs) as tf.Tensor3D; // [G, rep·T, hd]
}

/**
 * The bias's rows, [1, T, Tk] each. Every layer of a forward passes the same bias tensor, so the
 * slices (T² floats per row) are taken once per forward, not once per layer.
 */
const biasRowsOf = new WeakMap<tf.Tensor, tf.Tensor3D[]>();
function biasPerRow(bias: tf.Tensor4D): tf.Tensor3D[] {
  const cached = biasRowsOf.get(bias);
  if (cached && !cached.some((r) => r.isDisposed)) return cached;
  const [rows, , t, tk] = bias.shape;
  const out = Array.from(
    { length: rows },
    (_, r) => tf.reshape(tf.slice(bias, [r, 0, 0, 0], [1, 1, t, tk]), [1, t, tk]) as tf.Tensor3D,
  );
  biasRowsOf.set(bias, out);
  return out;
}

/**
 * Additive attention bias for a full forward, [B, 1, T, T]: query q of row b sees key k iff
 * k ≤ q and (keyVisible[b, k] = 1 or k = q). Without keyVisible: plain causal.
 */
export function visibilityBias(batch: number, t: number, keyVisible?: tf.Tensor2D): tf.Tensor4D {
  const causal = new Float32Array(t * t);
  const eye = new Float32Array(t * t);
  for (let q = 0; q < t; q++) {
    for (let k = 0; k <= q; k++) causal[q * t + k] = 1;
    eye[q * t + q] = 1;
  }
  const causalT = tf.tensor2d(causal, [t, t]); // [T, T]
  if (!keyVisible) {
    return tf.reshape(tf.mul(tf.sub(causalT, 1), -HIDDEN_BIAS), [1, 1, t, t]) as tf.Tensor4D;
  }
  const vis = tf.reshape(tf.cast(keyVisible, 'float32'), [batch, 1, t]); // [B, 1, T]
  const eyeT = tf.tensor2d(eye, [t, t]); // [T, T]
  // max(vis, eye) for 0/1 values, as vis + eye − vis·eye: tfjs-wasm's broadcasting Maximum took
  // ~1 s at B 4, T 776 against ~24 ms for these three broadcasting XNNPACK ops.
  const visOrSelf = tf.sub(tf.add(vis, eyeT), tf.mul(vis, eyeT)); // [B, T, T]
  const allowed = tf.mul(causalT, visOrSelf); // [B, T, T]
  return tf.reshape(tf.mul(tf.sub(allowed, 1), -HIDDEN_BIAS), [batch, 1, t, t]) as tf.Tensor4D;
}

/** Causal bias for new queries after `past` cached keys: [1, 1, Tn, past + Tn]. */
export function cachedCausalBias(past: number, tNew: number): tf.Tensor4D {
  const tk = past + tNew;
  const bias = new Float32Array(tNew * tk);
  for (let q = 0; q < tNew; q++) for (let k = past + q + 1; k < tk; k++) bias[q * tk + k] = HIDDEN_BIAS;
  return tf.tensor4d(bias, [1, 1, tNew, tk]);
}
