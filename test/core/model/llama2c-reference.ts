/**
 * An independent float64 implementation of llama2.c's forward pass (run.c), working directly on
 * the checkpoint's unpermuted weights with ADJACENT-pair RoPE. Agreement with LlamaModel (which
 * uses rotate-half on permuted weights) proves the importer's permutation.
 */
export class Llama2cReference {
  readonly dim: number;
  readonly hidden: number;
  readonly nLayers: number;
  readonly nHeads: number;
  readonly nKvHeads: number;
  readonly vocab: number;
  readonly seqLen: number;
  private w: Record<string, Float64Array> = {};
  private keyCache: Float64Array[] = [];
  private valueCache: Float64Array[] = [];

  constructor(bytes: Uint8Array) {
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const h = Array.from({ length: 7 }, (_, i) => dv.getInt32(i * 4, true));
    [this.dim, this.hidden, this.nLayers, this.nHeads, this.nKvHeads] = h;
    this.vocab = Math.abs(h[5]);
    this.seqLen = h[6];
    const { dim, hidden, nLayers: L, vocab } = this;
    const hs = dim / this.nHeads;
    const kvDim = this.nKvHeads * hs;
    let off = 28;
    const take = (n: number) => {
      const a = new Float64Array(n);
      for (let i = 0; i < n; i++) a[i] = dv.getFloat32(off + 4 * i, true);
      off += 4 * n;
      return a;
    };
    const w = this.w;
    w.tok = take(vocab * dim);
    w.rmsAtt = take(L * dim);
    w.wq = take(L * dim * dim);
    w.wk = take(L * kvDim * dim);
    w.wv = take(L * kvDim * dim);
    w.wo = take(L * dim * dim);
    w.rmsFfn = take(L * dim);
    w.w1 = take(L * hidden * dim);
    w.w2 = take(L * dim * hidden);
    w.w3 = take(L * hidden * dim);
    w.rmsFinal = take(dim);
    off += 4 * this.seqLen * hs; // legacy freq_cis tables
    w.wcls = h[5] > 0 ? w.tok : take(vocab * dim);
    for (let l = 0; l < L; l++) {
      this.keyCache.push(new Float64Array(this.seqLen * kvDim));
      this.valueCache.push(new Float64Array(this.seqLen * kvDim));
    }
  }

  private static matvec(out: Float64Array, x: Float64Array, w: Float64Array, wOff: number, n: number, d: number): void {
    for (let i = 0; i < d; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += w[wOff + i * n + j] * x[j];
      out[i] = s;
    }
  }

  private static rmsnorm(out: Float64Array, x: Float64Array, w: Float64Array, wOff: number): void {
    let ss = 0;
    for (const v of x) ss += v * v;
    ss = 1 / Math.sqrt(ss / x.length + 1e-5);
    for (let j = 0; j < x.length; j++) out[j] = w[wOff + j] * (ss * x[j]);
  }

  /** Logits for `token` at position `pos` (positions must be fed in order 0, 1, 2, …). */
  forward(token: number, pos: number): Float64Array {
    const { dim, hidden, nLayers: L, nHeads, vocab, w } = this;
    const hs = dim / nHeads;
    const kvDim = this.nKvHeads * hs;
    const kvMul = nHeads / this.nKvHeads;
    const x = w.tok.slice(token * dim, (token + 1) * dim);
    const xb = new Float64Array(dim);
    const xb2 = new Float64Array(dim);
    const q = new Float64Array(dim);
    const k = new Float64Array(kvDim);
    const v = new Float64Array(kvDim);
    const hb = new Float64Array(hidden);
    const hb2 = new Float64Array(hidden);
    const att = new Float64Array(pos + 1);
    const M = Llama2cReference;
    for (let l = 0; l < L; l++) {
      M.rmsnorm(xb, x, w.rmsAtt, l * dim);
      M.matvec(q, xb, w.wq, l * dim * dim, dim, dim);
      M.matvec(k, xb, w.wk, l * kvDim * dim, dim, kvDim);
      M.matvec(v, xb, w.wv, l * kvDim * dim, dim, kvDim);
      // llama2.c RoPE: rotate adjacent pairs (i, i+1); i % hs selects the frequency.
      for (let i = 0; i < dim; i += 2) {
        const freq = 1 / Math.pow(10000, (i % hs) / hs);
        const c = Math.cos(pos * freq);
        const s = Math.sin(pos * freq);
        for (const vec of i < kvDim ? [q, k] : [q]) {
          const v0 = vec[i];
          const v1 = vec[i + 1];
          vec[i] = v0 * c - v1 * s;
          vec[i + 1] = v0 * s + v1 * c;
        }
      }
      this.keyCache[l].set(k, pos * kvDim);
      this.valueCache[l].set(v, pos * kvDim);
      for (let h = 0; h < nHeads; h++) {
        const kvOff = Math.floor(h / kvMul) * hs;
        let max = -Infinity;
        for (let t = 0; t <= pos; t++) {
          let s = 0;
          for (let i = 0; i < hs; i++) s += q[h * hs + i] * this.keyCache[l][t * kvDim + kvOff + i];
          att[t] = s / Math.sqrt(hs);
          max = Math.max(max, att[t]);
        }
        let z = 0;
        for (let t = 0; t <= pos; t++) z += att[t] = Math.exp(att[t] - max);
        for (let i = 0; i < hs; i++) {
          let s = 0;
          for (let t = 0; t <= pos; t++) s += (att[t] / z) * this.valueCache[l][t * kvDim + kvOff + i];
          xb[h * hs + i] = s;
        }
      }
      M.matvec(xb2, xb, w.wo, l * dim * dim, dim, dim);
      for (let i = 0; i < dim; i++) x[i] += xb2[i];
      M.rmsnorm(xb, x, w.rmsFfn, l * dim);
      M.matvec(hb, xb, w.w1, l * hidden * dim, dim, hidden);
      M.matvec(hb2, xb, w.w3, l * hidden * dim, dim, hidden);
      for (let i = 0; i < hidden; i++) hb[i] = (hb[i] / (1 + Math.exp(-hb[i]))) * hb2[i];
      M.matvec(xb, hb, w.w2, l * dim * hidden, hidden, dim);
      for (let i = 0; i < dim; i++) x[i] += xb[i];
    }
    M.rmsnorm(xb, x, w.rmsFinal, 0);
    const logits = new Float64Array(vocab);
    M.matvec(logits, xb, w.wcls, 0, dim, vocab);
    return logits;
  }
}
