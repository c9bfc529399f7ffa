/**
 * Import of llama2.c "legacy" (version 0) checkpoints: 7 int32 header fields, then float32
 * weights (layout in test/fixtures/README.md). llama2.c rotates ADJACENT pairs (2i, 2i+1) in RoPE;
 * this project uses Hugging Face's rotate-half (i, i + hd/2). The two are the same rotation after
 * a permutation of the query/key output rows within each head, which is applied here to wq and wk
 * (the same permutation as Hugging Face's convert_llama_weights_to_hf.py).
 */
import * as tf from '@tensorflow/tfjs';
import { CheckpointError, ConfigError } from '../errors.ts';
import { validateConfig, type LlamaConfig } from './config.ts';

const HEADER_BYTES = 28;

export interface Llama2cHeader {
  dim: number;
  hiddenDim: number;
  nLayers: number;
  nHeads: number;
  nKvHeads: number;
  /** Negative in the file when the classifier is stored separately (untied). */
  vocabSize: number;
  seqLen: number;
}

export function readLlama2cHeader(bytes: Uint8Array): Llama2cHeader {
  if (bytes.length < HEADER_BYTES)
    throw new CheckpointError(
      `llama2.c checkpoint: ${bytes.length} bytes, expected at least the ${HEADER_BYTES}-byte header`,
    );
  const dv = new DataView(bytes.buffer, bytes.byteOffset, HEADER_BYTES);
  if (dv.getUint32(0, true) === 0x616b3432) {
    throw new CheckpointError(
      'llama2.c checkpoint: this is a versioned export ("ak42" magic); only the legacy version-0 format is supported (export with --version 0)',
    );
  }
  const f = Array.from({ length: 7 }, (_, i) => dv.getInt32(i * 4, true));
  return { dim: f[0], hiddenDim: f[1], nLayers: f[2], nHeads: f[3], nKvHeads: f[4], vocabSize: f[5], seqLen: f[6] };
}

/** Parses and checks a llama2.c checkpoint; tensors come back in Hugging Face layout (caller disposes). */
export function importLlama2c(bytes: Uint8Array): { config: LlamaConfig; tensors: Map<string, tf.Tensor> } {
  const h = readLlama2cHeader(bytes);
  const tied = h.vocabSize > 0;
  let config: LlamaConfig;
  try {
    config = validateConfig({
      vocabSize: Math.abs(h.vocabSize),
      dim: h.dim,
      nLayers: h.nLayers,
      nHeads: h.nHeads,
      nKvHeads: h.nKvHeads,
      ffnDim: h.hiddenDim,
      ropeTheta: 10000,
      normEps: 1e-5,
      maxSeqLen: h.seqLen,
      tieEmbeddings: tied,
    });
  } catch (e) {
    throw new CheckpointError(
      `llama2.c checkpoint: the header ${JSON.stringify(h)} is not a valid model (${(e as ConfigError).message})`,
    );
  }
  const { dim, nLayers: L, nHeads, nKvHeads, ffnDim: hidden, vocabSize: V, maxSeqLen: seq } = config;
  const hd = dim / nHeads;
  const kvDim = nKvHeads * hd;
  // Sections in file order: [name, count]. The two legacy RoPE tables are skipped; the separate
  // classifier follows them when the vocabulary size is negative.
  const sections: [string, number][] = [
    ['tok', V * dim],
    ['rmsAtt', L * dim],
    ['wq', L * dim * dim],
    ['wk', L * kvDim * dim],
    ['wv', L * kvDim * dim],
    ['wo', L * dim * dim],
    ['rmsFfn', L * dim],
    ['w1', L * hidden * dim],
    ['w2', L * dim * hidden],
    ['w3', L * hidden * dim],
    ['rmsFinal', dim],
    ['freqCisReal', (seq * hd) / 2],
    ['freqCisImag', (seq * hd) / 2],
  ];
  if (!tied) sections.push(['wcls', V * dim]);
  const totalFloats = sections.reduce((a, [, n]) => a + n, 0);
  const expectedBytes = HEADER_BYTES + 4 * totalFloats;
  if (bytes.length !== expectedBytes) {
    throw new CheckpointError(
      `llama2.c checkpoint: the header (dim ${dim}, hidden ${hidden}, layers ${L}, heads ${nHeads}/${nKvHeads}, vocab ${h.vocabSize}, seq ${seq}) ` +
        `implies ${expectedBytes} bytes, the file has ${bytes.length}${bytes.length < expectedBytes ? ' (truncated?)' : ''}`,
    );
  }
  // Copy once: the weights start at byte 28, which is 4-byte aligned only relative to the file.
  const all = new Float32Array(totalFloats);
  const dv = new DataView(bytes.buffer, bytes.byteOffset + HEADER_BYTES, 4 * totalFloats);
  for (let i = 0; i < totalFloats; i++) all[i] = dv.getFloat32(i * 4, true);
  for (let i = 0; i < totalFloats; i++) {
    if (!Number.isFinite(all[i]))
      throw new CheckpointError(`llama2.c checkpoint: non-finite weight ${all[i]} at float index ${i} (corrupt file?)`);
  }
  const sec = new Map<string, Float32Array>();
  let off = 0;
  for (const [name, n] of sections) {
    sec.set(name, all.subarray(off, off + n));
    off += n;
  }
  const layer = (name: string, i: number, size: number) => sec.get(name)!.subarray(i * size, (i + 1) * size);

  const host = new Map<string, { data: Float32Array; shape: number[] }>();
  host.set('model.embed_tokens.weight', { data: sec.get('tok')!, shape: [V, dim] });
  for (let i = 0; i < L; i++) {
    const p = `model.layers.${i}`;
    host.set(`${p}.input_layernorm.weight`, { data: layer('rmsAtt', i, dim), shape: [dim] });
    host.set(`${p}.self_attn.q_proj.weight`, {
      data: adjacentToHalfRows(layer('wq', i, dim * dim), nHeads, hd, dim),
      shape: [dim, dim],
    });
    host.set(`${p}.self_attn.k_proj.weight`, {
      data: adjacentToHalfRows(layer('wk', i, kvDim * dim), nKvHeads, hd, dim),
      shape: [kvDim, dim],
    });
    host.set(`${p}.self_attn.v_proj.weight`, { data: layer('wv', i, kvDim * dim), shape: [kvDim, dim] });
    host.set(`${p}.self_attn.o_proj.weight`, { data: layer('wo', i, dim * dim), shape: [dim, dim] });
    host.set(`${p}.post_attention_layernorm.weight`, { data: layer('rmsFfn', i, dim), shape: [dim] });
    host.set(`${p}.mlp.gate_proj.weight`, { data: layer('w1', i, hidden * dim), shape: [hidden, dim] });
    host.set(`${p}.mlp.down_proj.weight`, { data: layer('w2', i, dim * hidden), shape: [dim, hidden] });
    host.set(`${p}.mlp.up_proj.weight`, { data: layer('w3', i, hidden * dim), shape: [hidden, dim] });
  }
  host.set('model.norm.weight', { data: sec.get('rmsFinal')!, shape: [dim] });
  if (!tied) host.set('lm_head.weight', { data: sec.get('wcls')!, shape: [V, dim] });

  const tensors = new Map<string, tf.Tensor>();
  for (const [name, { data, shape }] of host) tensors.set(name, tf.tensor(data.slice(), shape, 'float32'));
  return { config, tensors };
}

/**
 * Reorders the output rows of a [nHeads·hd, cols] projection from adjacent-pair RoPE order to
 * rotate-half order: within each head, new row j·(hd/2) + i = old row 2i + j (j ∈ {0, 1}).
 */
export function adjacentToHalfRows(w: Float32Array, nHeads: number, hd: number, cols: number): Float32Array {
  const out = new Float32Array(w.length);
  const half = hd / 2;
  for (let h = 0; h < nHeads; h++) {
    for (let i = 0; i < half; i++) {
      for (let j = 0; j < 2; j++) {
        const from = (h * hd + 2 * i + j) * cols;
        const to = (h * hd + j * half + i) * cols;
        out.set(w.subarray(from, from + cols), to);
      }
    }
  }
  return out;
}
