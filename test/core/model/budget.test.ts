import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors.ts';
import {
  backendLimits,
  checkBudget,
  estimateMemory,
  guardTraining,
  loraParamCount,
  paramCount,
  setActiveBackend,
  WASM_MAX_BYTES,
  WASM_TENSOR_BYTES,
} from '../../../src/core/model/budget.ts';
import { configFromHF, countParams, MODEL_PRESETS, validateConfig } from '../../../src/core/model/config.ts';
import { importLlama2c } from '../../../src/core/model/llama2c.ts';
import { loadModel } from '../../../src/core/model/load.ts';
import { parseSafetensors, writeSafetensors } from '../../../src/core/model/safetensors.ts';
import { validateRunConfig } from '../../../src/core/train/run-config.ts';
import { TINY_HF_CONFIG } from './fixture.ts';
import { HF_SHAPES } from '../../fixtures/hf-shapes.ts';

const tiny = MODEL_PRESETS.tiny;
const GIB = 2 ** 30;

describe('estimateMemory', () => {
  it('counts weights, grads and AdamW moments from the parameter count', () => {
    expect(paramCount(tiny)).toBe(countParams(tiny));
    const full = estimateMemory(tiny, { batch: 2, seqLen: 16, mode: 'full' });
    const p = countParams(tiny) * 4;
    expect(full.weights).toBe(p);
    expect(full.grads).toBe(p);
    expect(full.moments).toBe(2 * p);
    expect(full.kvCache).toBe(0);
    expect(full.rope).toBe(2 * 2 * tiny.maxSeqLen * (tiny.dim / tiny.nHeads) * 4);
    expect(full.total).toBe(full.weights + full.grads + full.moments + full.activations + full.kvCache + full.rope);
  });

  it('inference has a KV cache and no optimizer; LoRA trains only the adapters', () => {
    const inf = estimateMemory(tiny, { batch: 1, seqLen: 100, mode: 'inference' });
    expect(inf.grads + inf.moments).toBe(0);
    expect(inf.kvCache).toBe(2 * tiny.nLayers * 100 * tiny.nKvHeads * (tiny.dim / tiny.nHeads) * 4);
    const lora = estimateMemory(tiny, {
      batch: 1,
      seqLen: 16,
      mode: 'lora',
      lora: { rank: 4, targets: ['q_proj', 'v_proj'] },
    });
    // q: 4·(32+32), v: 4·(32+16), per layer, 2 layers.
    expect(loraParamCount(tiny, { rank: 4, targets: ['q_proj', 'v_proj'] })).toBe(2 * (4 * 64 + 4 * 48));
    expect(lora.grads).toBe(2 * (4 * 64 + 4 * 48) * 4);
    expect(() => loraParamCount(tiny, { rank: 4, targets: ['qq'] })).toThrow(/unknown projection "qq"/);
  });

  it('grows with the square of the sequence length in training (attention scores)', () => {
    const a = estimateMemory(tiny, { batch: 1, seqLen: 64, mode: 'full' }).activations;
    const b = estimateMemory(tiny, { batch: 1, seqLen: 128, mode: 'full' }).activations;
    expect(b / a).toBeGreaterThan(2);
  });
});

describe('backendLimits and checkBudget', () => {
  it('takes the smallest bound: wasm tensors 2 GiB, navigator.deviceMemory, WebGPU buffer limits', () => {
    expect(backendLimits({ backend: 'wasm', nodeTotalMem: 64 * GIB }).totalBytes).toBe(WASM_TENSOR_BYTES);
    expect(WASM_TENSOR_BYTES).toBe(WASM_MAX_BYTES / 2);
    expect(backendLimits({ backend: 'webgpu', deviceMemoryGiB: 2 }).totalBytes).toBe(GIB);
    const g = backendLimits({
      backend: 'webgpu',
      deviceMemoryGiB: 8,
      gpu: { maxBufferSize: 256 * 2 ** 20, maxStorageBufferBindingSize: 128 * 2 ** 20 },
    });
    expect(g.maxBufferBytes).toBe(128 * 2 ** 20);
    expect(g.source).toMatch(/WebGPU max buffer 128 MiB/);
    expect(backendLimits({}).totalBytes).toBe(WASM_MAX_BYTES);
  });

  it('refuses naming what, the estimate, the largest term and the limit', () => {
    const e = estimateMemory(MODEL_PRESETS.small, { batch: 64, seqLen: 1024, mode: 'full' });
    const limits = backendLimits({ backend: 'wasm' });
    expect(() => checkBudget(e, limits, 'run config')).toThrow(ConfigError);
    expect(() => checkBudget(e, limits, 'run config')).toThrow(
      /run config needs about [\d.]+ GiB \(.*activations.*largest: activations\), over the limit of 2\.0 GiB \(tfjs-wasm: half of its 4 GiB heap\)\. Use a smaller model, batch \(train\.batchSize, --batch-size\) or sequence length \(train\.maxLen, --max-len\), or switch to the webgpu backend/,
    );
    const webgpu = backendLimits({ backend: 'webgpu', gpu: { maxBufferSize: 2 ** 20 } });
    expect(() =>
      checkBudget(estimateMemory(MODEL_PRESETS.small, { batch: 1, seqLen: 1, mode: 'inference' }), webgpu, 'model'),
    ).toThrow(/one buffer of 12\.0 MiB, over the per-buffer limit of 1\.0 MiB/);
    expect(() =>
      checkBudget(estimateMemory(tiny, { batch: 1, seqLen: 16, mode: 'full' }), limits, 'tiny'),
    ).not.toThrow();
  });

  it('checks later configs against the backend set for this thread (WebGPU buffer limits)', () => {
    try {
      setActiveBackend('webgpu', { maxBufferSize: 2 ** 20, maxStorageBufferBindingSize: 2 ** 20 });
      expect(() => validateConfig(MODEL_PRESETS.small)).toThrow(
        /model config \(vocabSize 8192, dim 384, nLayers 6, .*\) needs one buffer of 12\.0 MiB, over the per-buffer limit of 1\.0 MiB \(.*WebGPU max buffer 1 MiB\)/,
      );
      expect(() => validateConfig(tiny)).not.toThrow();
      expect(setActiveBackend('wasm').totalBytes).toBe(WASM_TENSOR_BYTES);
    } finally {
      setActiveBackend('cpu');
    }
    expect(() => validateConfig(MODEL_PRESETS.small)).not.toThrow();
  });

  it('wasm: LoRA on SmolLM2-135M passes; its full fine-tuning and Qwen2.5-0.5B LoRA are refused (measured ceiling)', () => {
    const smol = configFromHF(HF_SHAPES['SmolLM2-135M'], { maxContext: 256 });
    const qwen = configFromHF(HF_SHAPES['Qwen2.5-0.5B'], { maxContext: 256 });
    const wasm = backendLimits({ backend: 'wasm' });
    const lora = { rank: 8, targets: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] };
    // The finetune path's estimate: 2 rows per record (teacher + student), batch 1, 256 tokens.
    const est = (c: typeof smol, mode: 'lora' | 'full') =>
      estimateMemory(c, { batch: 2, seqLen: 256, mode, lora: mode === 'lora' ? lora : undefined });
    expect(() => checkBudget(est(smol, 'lora'), wasm, 'LoRA')).not.toThrow();
    expect(() => checkBudget(est(smol, 'full'), wasm, 'full fine-tuning')).toThrow(
      /full fine-tuning needs about [\d.]+ GiB \(weights 513\.\d MiB, grads 513\.\d MiB, moments 1\.0 GiB, .*over the limit of 2\.0 GiB .*--max-len\), or switch to the webgpu backend/,
    );
    expect(() => checkBudget(est(qwen, 'lora'), wasm, 'LoRA fine-tuning of Qwen2.5-0.5B')).toThrow(
      /LoRA fine-tuning of Qwen2\.5-0\.5B needs about 4\.2 GiB \(weights 1\.8 GiB, .*largest: activations\), over the limit of 2\.0 GiB/,
    );
    // Even at 4 tokens (tensors under 2 GiB) the heap cannot also hold XNNPACK's packed weights.
    const short = estimateMemory(qwen, { batch: 1, seqLen: 4, mode: 'lora', lora });
    expect(short.total).toBeLessThan(WASM_TENSOR_BYTES);
    expect(() => checkBudget(short, wasm, 'LoRA (4 tokens)')).toThrow(
      /LoRA \(4 tokens\) needs about 5\.\d GiB of tfjs-wasm heap \(tensors 1\.\d GiB \+ 2 packed copies of the weights 3\.7 GiB\), over its 4\.0 GiB\. Use a smaller model/,
    );
    // Inference of the 0.5B model (1.84 GiB of weights) still fits, as measured (a 3.95 GiB heap).
    expect(() =>
      checkBudget(estimateMemory(qwen, { batch: 1, seqLen: 16, mode: 'inference' }), wasm, 'q'),
    ).not.toThrow();
  });

  it('lets every preset through at its default run config', () => {
    for (const preset of Object.keys(MODEL_PRESETS)) expect(() => validateRunConfig({ preset }), preset).not.toThrow();
    expect(() =>
      guardTraining(
        MODEL_PRESETS.small,
        { batchSize: 8, maxLen: 1024 },
        'small',
        'full',
        backendLimits({ backend: 'wasm' }),
      ),
    ).not.toThrow();
  });
});

/** Each call must throw a ConfigError/CheckpointError naming `field` within a second. */
function refusedFast(fn: () => unknown, field: RegExp): number {
  const t0 = performance.now();
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  const ms = performance.now() - t0;
  expect(err, `expected a refusal mentioning ${field}`).toBeInstanceOf(Error);
  expect((err as Error).name).toMatch(/ConfigError|CheckpointError/);
  expect((err as Error).message).toMatch(field);
  expect(ms).toBeLessThan(1000);
  return ms;
}

const HF = TINY_HF_CONFIG;

function llama2cHeader(f: number[]): Uint8Array {
  const b = new Uint8Array(28 + 64);
  const dv = new DataView(b.buffer);
  f.forEach((v, i) => dv.setInt32(i * 4, v, true));
  return b;
}

describe('absurd sizes are refused before allocation', () => {
  it('config.json fields, by their config.json names', () => {
    refusedFast(() => configFromHF({ ...HF, max_position_embeddings: 3e8 }), /max_position_embeddings = 300000000/);
    refusedFast(() => configFromHF({ ...HF, num_hidden_layers: 1e7 }), /num_hidden_layers = 10000000/);
    refusedFast(() => configFromHF({ ...HF, hidden_size: 1e9, num_attention_heads: 4 }), /hidden_size = 1000000000/);
    refusedFast(() => configFromHF({ ...HF, vocab_size: 1e9 }), /vocab_size/);
    refusedFast(() => configFromHF({ ...HF, intermediate_size: 1e9 }), /intermediate_size/);
    // Within every bound, but together far beyond any device: refused by the estimate.
    refusedFast(
      () =>
        configFromHF({
          ...HF,
          hidden_size: 65536,
          intermediate_size: 1 << 20,
          num_hidden_layers: 1000,
          num_attention_heads: 512,
          num_key_value_heads: 512,
        }),
      /needs about .* over the limit/,
    );
  });

  it('run config overrides', () => {
    refusedFast(() => validateRunConfig({ preset: 'tiny', model: { nLayers: 1e6 } }), /nLayers = 1000000/);
    refusedFast(() => validateRunConfig({ preset: 'tiny', model: { maxSeqLen: 1e8 } }), /maxSeqLen = 100000000/);
    refusedFast(() => validateRunConfig({ preset: 'tiny', model: { dim: 1e9 } }), /dim = 1000000000/);
    refusedFast(() => validateConfig({ ...tiny, nHeads: 1e6, nKvHeads: 1e6, dim: 2e6 }), /dim = 2000000/);
  });

  it('llama2.c headers', () => {
    refusedFast(() => importLlama2c(llama2cHeader([64, 172, 1e6, 4, 2, 512, 256])), /nLayers = 1000000/);
    refusedFast(() => importLlama2c(llama2cHeader([64, 172, 2, 4, 2, 512, 1e8])), /maxSeqLen = 100000000/);
  });

  it('safetensors headers whose tensors would decode past the limits', () => {
    const header = new TextEncoder().encode(
      JSON.stringify({ w: { dtype: 'F16', shape: [2 ** 31], data_offsets: [0, 2 ** 32] } }),
    );
    const bytes = new Uint8Array(8 + header.length + 16);
    new DataView(bytes.buffer).setUint32(0, header.length, true);
    bytes.set(header, 8);
    refusedFast(() => parseSafetensors(bytes), /tensor w/);
  });
});

describe('non-finite weights', () => {
  it('are refused when loading a Hugging Face safetensors model', () => {
    const shapes = new Map<string, { shape: number[]; data: Float32Array }>();
    shapes.set('model.embed_tokens.weight', { shape: [96, 32], data: new Float32Array(96 * 32).fill(0.01) });
    shapes.get('model.embed_tokens.weight')!.data[77] = NaN;
    const st = writeSafetensors(shapes);
    expect(() => loadModel({ kind: 'hf', config: HF, safetensors: st })).toThrow(
      /model\.embed_tokens\.weight holds a non-finite weight \(NaN\) at index 77/,
    );
  });
});
