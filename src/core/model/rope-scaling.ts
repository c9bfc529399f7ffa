/**
 * RoPE inverse frequencies with Hugging Face's scaling rules (none, linear, llama3), rounded to
 * float32 at the steps where transformers computes in float32, and the host cos/sin tables built
 * from them (rotate-half layout, as ops.ts's ropeHostTables).
 */
import type { RopeScaling } from './config.ts';

const f = Math.fround;

/** transformers' default: 1 / theta^(arange(0, hd, 2) / hd), in float32. */
export function defaultInvFreq(headDim: number, theta: number): Float32Array {
  const out = new Float32Array(headDim / 2);
  for (let i = 0; i < headDim / 2; i++) out[i] = f(1 / f(Math.pow(theta, f((2 * i) / headDim))));
  return out;
}

/** The inverse frequencies after scaling (transformers' _compute_linear / _compute_llama3 rules). */
export function scaledInvFreq(headDim: number, theta: number, scaling?: RopeScaling): Float32Array {
  const inv = defaultInvFreq(headDim, theta);
  if (!scaling) return inv;
  if (scaling.type === 'linear') return inv.map((x) => f(x / scaling.factor));
  const { factor, lowFreqFactor, highFreqFactor, originalMaxPositionEmbeddings: oldLen } = scaling;
  const lowWavelen = oldLen / lowFreqFactor;
  const highWavelen = oldLen / highFreqFactor;
  return inv.map((x) => {
    const wavelen = f((2 * Math.PI) / x);
    if (wavelen < highWavelen) return x; // high frequency: unchanged
    if (wavelen > lowWavelen) return f(x / factor); // low frequency: scaled
    const smooth = f((oldLen / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor));
    return f(f((1 - smooth) * f(x / factor)) + f(smooth * x));
  });
}

/**
 * cos/sin for positions 0..maxPos-1, [maxPos, hd] each: the angle is rounded to float32 as
 * PyTorch computes it, then cos/sin are taken in float64 (SwiftShader's sin/cos are too coarse).
 */
export function ropeTablesFromInvFreq(maxPos: number, inv: Float32Array): { cos: Float32Array; sin: Float32Array } {
  const half = inv.length;
  const hd = 2 * half;
  const cos = new Float32Array(maxPos * hd);
  const sin = new Float32Array(maxPos * hd);
  for (let p = 0; p < maxPos; p++) {
    for (let i = 0; i < half; i++) {
      const a = f(p * inv[i]);
      cos[p * hd + i] = cos[p * hd + half + i] = Math.cos(a);
      sin[p * hd + i] = sin[p * hd + half + i] = Math.sin(a);
    }
  }
  return { cos, sin };
}
