import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors.ts';
import { configFromHF, configToHF, countParams } from '../../../src/core/model/config.ts';
import { hfParamShapes, LlamaModel } from '../../../src/core/model/llama.ts';
import { scaledInvFreq } from '../../../src/core/model/rope-scaling.ts';
import { relErr } from './fixture.ts';

/** A SmolLM2-like Llama config.json with the harmless keys real checkpoints carry. */
const llama = {
  architectures: ['LlamaForCausalLM'],
  model_type: 'llama',
  vocab_size: 64,
  hidden_size: 16,
  intermediate_size: 32,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  rms_norm_eps: 1e-5,
  rope_theta: 10000,
  max_position_embeddings: 32,
  tie_word_embeddings: false,
  hidden_act: 'silu',
  attention_bias: false,
  mlp_bias: false,
  attention_dropout: 0.0,
  pretraining_tp: 1,
  initializer_range: 0.02,
  use_cache: true,
  transformers_version: '4.46.0',
  torch_dtype: 'bfloat16',
  bos_token_id: 1,
  eos_token_id: 2,
  rope_scaling: null,
};
const qwen = {
  architectures: ['Qwen2ForCausalLM'],
  model_type: 'qwen2',
  vocab_size: 64,
  hidden_size: 16,
  intermediate_size: 32,
  num_hidden_layers: 1,
  num_attention_heads: 4,
  num_key_value_heads: 1,
  rms_norm_eps: 1e-6,
  rope_theta: 1000000.0,
  max_position_embeddings: 32768,
  tie_word_embeddings: true,
  hidden_act: 'silu',
  use_sliding_window: false,
  sliding_window: 32768,
  max_window_layers: 21,
  attention_dropout: 0.0,
  use_mrope: false,
  bos_token_id: 151643,
};

describe('Hugging Face config.json', () => {
  it('reads Llama and Qwen2 configs, accepting keys that do not change the computation', () => {
    const l = configFromHF(llama);
    expect(l).toMatchObject({ vocabSize: 64, dim: 16, nKvHeads: 2, tieEmbeddings: false, normEps: 1e-5 });
    expect(l.arch).toBeUndefined();
    expect(l.attentionBias).toBeUndefined();
    const q = configFromHF(qwen, { maxContext: 128 });
    expect(q).toMatchObject({
      arch: 'qwen2',
      attentionBias: 'qkv',
      tieEmbeddings: true,
      ropeTheta: 1e6,
      nKvHeads: 1,
      maxSeqLen: 128,
    });
    expect(configFromHF(qwen).maxSeqLen).toBe(32768);
    // Biases become parameters with the projection's output size.
    const shapes = hfParamShapes(q);
    expect(shapes.get('model.layers.0.self_attn.q_proj.bias')).toEqual([16]);
    expect(shapes.get('model.layers.0.self_attn.k_proj.bias')).toEqual([4]);
    expect(shapes.has('model.layers.0.self_attn.o_proj.bias')).toBe(false);
    const lb = configFromHF({ ...llama, attention_bias: true, mlp_bias: true });
    expect(lb).toMatchObject({ attentionBias: 'qkvo', mlpBias: true });
    expect(hfParamShapes(lb).get('model.layers.1.mlp.up_proj.bias')).toEqual([32]);
    let total = 0;
    for (const s of hfParamShapes(lb).values()) total += s.reduce((a, b) => a * b, 1);
    expect(countParams(lb)).toBe(total);
  });

  it('round-trips both architectures and every rope_scaling through configToHF', () => {
    for (const raw of [
      qwen,
      { ...llama, attention_bias: true, mlp_bias: true },
      { ...llama, rope_scaling: { type: 'linear', factor: 4 } },
      {
        ...llama,
        rope_scaling: {
          rope_type: 'llama3',
          factor: 32,
          low_freq_factor: 1,
          high_freq_factor: 4,
          original_max_position_embeddings: 8192,
        },
      },
    ]) {
      const c = configFromHF(raw);
      expect(configFromHF(configToHF(c))).toEqual(c);
    }
  });

  it('refuses unimplemented values by name', () => {
    expect(() => configFromHF({ ...llama, architectures: ['MistralForCausalLM'] })).toThrow(
      /architecture "MistralForCausalLM" is not supported/,
    );
    expect(() => configFromHF({ ...llama, model_type: 'gemma' })).toThrow(/model_type "gemma"/);
    expect(() => configFromHF({ ...qwen, use_sliding_window: true })).toThrow(/use_sliding_window/);
    expect(() => configFromHF({ ...llama, hidden_act: 'gelu_pytorch_tanh' })).toThrow(/hidden_act "gelu_pytorch_tanh"/);
    expect(() => configFromHF({ ...llama, rope_scaling: { rope_type: 'yarn', factor: 4 } })).toThrow(
      /rope_scaling type "yarn"/,
    );
    expect(() => configFromHF({ ...llama, rope_scaling: { type: 'dynamic', factor: 2 } })).toThrow(/"dynamic"/);
    expect(() => configFromHF({ ...llama, head_dim: 8 })).toThrow(/head_dim 8/);
    expect(() => configFromHF({ ...llama, attention_dropout: 0.1 })).toThrow(/attention_dropout/);
    expect(() => configFromHF({ ...llama, quantization_config: { bits: 4 } })).toThrow(/quantization_config/);
    expect(() => configFromHF({ ...llama, rope_scaling: { rope_type: 'llama3', factor: 8 } })).toThrow(ConfigError);
  });

  it('scales RoPE frequencies as transformers does (linear, llama3)', () => {
    // hd 8, theta 1e4: inv = 1, 0.1, 0.01, 0.001; wavelengths 2π/inv = 6.3, 63, 628, 6283.
    const none = scaledInvFreq(8, 10000);
    expect(relErr(none, [1, 0.1, 0.01, 0.001])).toBeLessThan(1e-6);
    expect(relErr(scaledInvFreq(8, 10000, { type: 'linear', factor: 4 }), [0.25, 0.025, 0.0025, 0.00025])).toBeLessThan(
      1e-6,
    );
    // llama3, factor 8, old context 1024, low 1 / high 4: wavelength < 256 unchanged, > 1024 divided
    // by 8, in between smoothly interpolated with s = (1024/λ − 1) / 3.
    const s = (1024 / ((2 * Math.PI) / 0.01) - 1) / 3;
    const l3 = scaledInvFreq(8, 10000, {
      type: 'llama3',
      factor: 8,
      lowFreqFactor: 1,
      highFreqFactor: 4,
      originalMaxPositionEmbeddings: 1024,
    });
    expect(relErr(l3, [1, 0.1, (1 - s) * 0.00125 + s * 0.01, 0.000125])).toBeLessThan(1e-6);
  });

  it('linear RoPE scaling by 2 at positions 2p equals no scaling at positions p (end to end)', async () => {
    const plain = configFromHF(llama);
    const scaled = configFromHF({ ...llama, rope_scaling: { type: 'linear', factor: 2 } });
    const a = LlamaModel.init(plain, 3);
    const b = LlamaModel.fromHFTensors(scaled, a.toHFTensors());
    const ids = tf.tensor2d([[5, 9, 3, 7, 1, 2]], [1, 6], 'int32');
    const la = a.forward(ids);
    const lb = b.forward(ids, { positions: tf.tensor2d([[0, 2, 4, 6, 8, 10]], [1, 6], 'int32') });
    const lbPlain = b.forward(ids);
    expect(relErr(await lb.data(), await la.data())).toBeLessThan(1e-5);
    expect(relErr(await lbPlain.data(), await la.data())).toBeGreaterThan(1e-4);
    tf.dispose([ids, la, lb, lbPlain]);
    a.dispose();
    b.dispose();
  });

  it('Llama attention/MLP biases are real: zero biases change nothing, non-zero ones do and get gradients', async () => {
    const base = LlamaModel.init(configFromHF(llama), 5);
    const cfgB = configFromHF({ ...llama, attention_bias: true, mlp_bias: true });
    const hf = base.toHFTensors();
    for (const [n, s] of hfParamShapes(cfgB)) if (n.endsWith('.bias')) hf.set(n, tf.zeros(s));
    const withB = LlamaModel.fromHFTensors(cfgB, hf);
    const ids = tf.tensor2d([[1, 2, 3, 4]], [1, 4], 'int32');
    const l0 = base.forward(ids);
    const l1 = withB.forward(ids);
    expect(relErr(await l1.data(), await l0.data())).toBeLessThan(1e-6);
    withB.params.get('model.layers.0.self_attn.o_proj.bias')!.assign(tf.fill([16], 0.5));
    const l2 = withB.forward(ids);
    expect(relErr(await l2.data(), await l0.data())).toBeGreaterThan(1e-3);
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(withB.forward(ids))) as tf.Scalar);
    for (const [n, v] of withB.params)
      if (n.endsWith('.bias')) expect((await tf.abs(grads[v.name]).sum().data())[0], n).toBeGreaterThan(0);
    tf.dispose([ids, l0, l1, l2, value, ...Object.values(grads), ...hf.values()]);
    base.dispose();
    withB.dispose();
  });
});
