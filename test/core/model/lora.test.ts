import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors.ts';
import { configFromHF } from '../../../src/core/model/config.ts';
import { LlamaModel } from '../../../src/core/model/llama.ts';
import {
  LoraAdapter,
  parsePeftConfig,
  ROWS_EMBED,
  ROWS_HEAD,
  validateLoraConfig,
} from '../../../src/core/model/lora.ts';
import { selectNodeBackend } from '../../../src/platform/node/backend.ts';
import { relErr } from './fixture.ts';

const cfg = (tie: boolean) =>
  configFromHF({
    architectures: ['LlamaForCausalLM'],
    vocab_size: 40,
    hidden_size: 16,
    intermediate_size: 32,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    tie_word_embeddings: tie,
    max_position_embeddings: 16,
  });

describe('LoRA adapter', () => {
  beforeAll(async () => {
    await selectNodeBackend('cpu');
  });

  it('validates its config and PEFT configs by name', () => {
    expect(validateLoraConfig({}).targets.length).toBe(7);
    expect(() => validateLoraConfig({ rank: 0 })).toThrow(/lora.rank/);
    expect(() => validateLoraConfig({ targets: ['qkv' as never] })).toThrow(/unknown module\(s\) qkv/);
    expect(() => parsePeftConfig({ peft_type: 'IA3' })).toThrow(ConfigError);
    expect(() =>
      parsePeftConfig({ peft_type: 'LORA', r: 4, lora_alpha: 8, use_dora: true, target_modules: ['q_proj'] }),
    ).toThrow(/use_dora/);
    expect(
      parsePeftConfig({ peft_type: 'LORA', r: 4, lora_alpha: 8, target_modules: 'all-linear' }).targets.length,
    ).toBe(7);
  });

  for (const tie of [true, false]) {
    it(`${tie ? 'tied' : 'untied'}: starts as a no-op; new-token rows train; merged weights give the attached model's logits`, async () => {
      const model = LlamaModel.init(cfg(tie), 2);
      const ad = LoraAdapter.init(
        model.config,
        { rank: 2, alpha: 4, dropout: 0, targets: ['q_proj', 'v_proj', 'down_proj'] },
        9,
        { first: 33, count: 7 },
      );
      const ids = tf.tensor2d([[1, 33, 5, 39, 2, 34]], [1, 6], 'int32');
      const base = model.forward(ids);
      ad.attach(model, { train: true });
      expect([...model.trainable.keys()]).toContain(ROWS_EMBED);
      expect(model.trainable.has(ROWS_HEAD)).toBe(!tie);
      expect(model.trainable.size).toBe(12 + 1 + (tie ? 0 : 1));
      const same = model.forward(ids);
      expect(relErr(await same.data(), await base.data())).toBeLessThan(1e-6);
      // One plain gradient step on every trainable variable.
      const { grads } = tf.variableGrads(
        () => tf.mean(tf.square(model.forward(ids))) as tf.Scalar,
        [...model.trainable.values()],
      );
      for (const [name, v] of model.trainable) {
        const g = grads[v.name];
        if (name.endsWith('lora_A.weight')) continue; // B = 0 ⇒ A's gradient is 0 at the start
        expect((await tf.abs(g).sum().data())[0], name).toBeGreaterThan(0);
        v.assign(tf.sub(v, tf.mul(g, 0.5)));
      }
      // Untied: only rows of ids in the input (33, 34, 39 → rows 0, 1, 6) get an embedding-delta
      // gradient. Tied: every row also acts as a head column, so all of them do.
      const rowsG = await grads[ad.rows!.embed.name].data();
      for (let r = 0; r < 7; r++) {
        const norm = Array.from(rowsG.slice(r * 16, r * 16 + 16)).reduce((s, x) => s + Math.abs(x), 0);
        if (tie || [0, 1, 6].includes(r)) expect(norm, `row ${r}`).toBeGreaterThan(0);
        else expect(norm, `row ${r}`).toBe(0);
      }
      const adapted = model.forward(ids);
      expect(relErr(await adapted.data(), await base.data())).toBeGreaterThan(1e-4);
      // Merge: base + adapter as plain weights, no adapter attached.
      const merged = ad.mergedWeights(model);
      LoraAdapter.detach(model);
      const hf = model.toHFTensors();
      for (const [n, t] of merged) {
        hf.get(n)!.dispose();
        hf.set(n, t);
      }
      const plain = LlamaModel.fromHFTensors(model.config, hf);
      const got = plain.forward(ids);
      expect(relErr(await got.data(), await adapted.data())).toBeLessThan(1e-5);
      tf.dispose([ids, base, same, adapted, got, ...Object.values(grads), ...hf.values()]);
      plain.dispose();
      ad.dispose();
      model.dispose();
    });
  }

  it('refuses an adapter made for another base', () => {
    const model = LlamaModel.init(cfg(true), 2);
    const other = LoraAdapter.init(cfg(false), { rank: 2 }, 1);
    const wrongWidth = LoraAdapter.init(
      configFromHF({
        vocab_size: 40,
        hidden_size: 8,
        intermediate_size: 32,
        num_hidden_layers: 2,
        num_attention_heads: 4,
      }),
      { rank: 2 },
      1,
    );
    expect(() => wrongWidth.attach(model)).toThrow(/another base model/);
    const tensors = new Map([
      ['base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight', { shape: [4, 8], data: new Float32Array(32) }],
    ]);
    expect(() =>
      LoraAdapter.fromPeft(
        model.config,
        { peft_type: 'LORA', r: 4, lora_alpha: 8, target_modules: ['q_proj'] },
        tensors,
      ),
    ).toThrow(/another base model/);
    other.dispose();
    wrongWidth.dispose();
    model.dispose();
  });
});
