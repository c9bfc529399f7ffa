/** Adding the ReflectionCoder tokens to a pretrained model (official model_utils.py), with the real Qwen3 tokenizer. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { configFromHF } from '../../../src/core/model/config.ts';
import { EMBED, LM_HEAD, LlamaModel } from '../../../src/core/model/llama.ts';
import { addReflectionTokens } from '../../../src/core/model/reflection-tokens.ts';
import { HFTokenizer, REFLECTION_TOKENS } from '../../../src/core/tokenizer/hf.ts';
import { selectNodeBackend } from '../../../src/platform/node/backend.ts';
import { sharedDir } from './fixture.ts';

const dir = path.join(sharedDir, 'models', 'qwen3-tokenizer');
const have = existsSync(path.join(dir, 'tokenizer.json'));
if (!have) console.warn(`SKIPPED: ${dir} is absent`);

/** A Qwen2-shaped model with Qwen's padded vocabulary (151936 > len(tokenizer) = 151669) and a tiny width. */
function tinyWide(tie: boolean): LlamaModel {
  return LlamaModel.init(
    configFromHF({
      architectures: ['Qwen2ForCausalLM'],
      vocab_size: 151936,
      hidden_size: 8,
      intermediate_size: 16,
      num_hidden_layers: 1,
      num_attention_heads: 2,
      num_key_value_heads: 1,
      tie_word_embeddings: tie,
      max_position_embeddings: 16,
    }),
    1,
  );
}

async function hfRows(model: LlamaModel, name: string): Promise<{ data: Float32Array; cols: number }> {
  const t = model.toHF(name, model.params.get(name)!);
  const data = (await t.data()) as Float32Array;
  const cols = t.shape[1]!;
  t.dispose();
  return { data, cols };
}

describe.skipIf(!have)('ReflectionCoder tokens on a pretrained model', () => {
  beforeAll(async () => {
    await selectNodeBackend('cpu');
  });
  const tok = () =>
    new HFTokenizer(
      JSON.parse(readFileSync(path.join(dir, 'tokenizer.json'), 'utf8')),
      JSON.parse(readFileSync(path.join(dir, 'tokenizer_config.json'), 'utf8')),
    );

  for (const tie of [true, false]) {
    it(`resizes a padded ${tie ? 'tied' : 'untied'} vocabulary to len(tokenizer) and sets new rows to sub-word means`, async () => {
      const base = tok();
      const model = tinyWide(tie);
      const names = tie ? [EMBED] : [EMBED, LM_HEAD];
      const before = new Map<string, Float32Array>();
      for (const n of names) before.set(n, (await hfRows(model, n)).data);
      const r = addReflectionTokens(model, base);
      expect(r.model.config.vocabSize).toBe(151676);
      expect(r.added.map((a) => a.id)).toEqual([151669, 151670, 151671, 151672, 151673, 151674, 151675]);
      for (const n of names) {
        const { data, cols } = await hfRows(r.model, n);
        expect(data.length).toBe(151676 * 8);
        const old = before.get(n)!;
        // Kept rows are bit-identical (spot-check the first and last kept rows).
        for (const row of [0, 1000, 151668])
          expect(Array.from(data.slice(row * cols, row * cols + cols))).toEqual(
            Array.from(old.slice(row * cols, row * cols + cols)),
          );
        REFLECTION_TOKENS.forEach((t, k) => {
          const src = base.encode(t);
          expect(src.length).toBeGreaterThan(1);
          for (let d = 0; d < cols; d++) {
            const mean = src.reduce((s, id) => s + old[id * cols + d], 0) / src.length;
            expect(data[(151669 + k) * cols + d]).toBeCloseTo(mean, 6);
          }
        });
      }
      // Once more: the tokenizer already has the tokens, so nothing changes.
      const again = addReflectionTokens(r.model, r.tokenizer);
      expect(again.added).toEqual([]);
      expect(again.model).toBe(r.model);
      // The resized model runs with the new ids.
      const logits = again.model.forward(tf.tensor2d([[151669, 5, 151675]], [1, 3], 'int32'));
      expect(logits.shape).toEqual([1, 3, 151676]);
      logits.dispose();
      again.model.dispose();
    });
  }
});

describe.skipIf(!have)('records serialised with a Hugging Face tokenizer', () => {
  it('uses the added token ids for roles and blocks, plain text for contents (official layout)', async () => {
    const { parseRecordsJsonl } = await import('../../../src/core/records/jsonl.ts');
    const { encodeRecord } = await import('../../../src/core/records/serialize.ts');
    const base = new HFTokenizer(
      JSON.parse(readFileSync(path.join(dir, 'tokenizer.json'), 'utf8')),
      JSON.parse(readFileSync(path.join(dir, 'tokenizer_config.json'), 'utf8')),
    );
    const tok = base.withReflectionTokens().tokenizer;
    const text = readFileSync(path.join(sharedDir, 'fixtures', 'reflection-records-example.jsonl'), 'utf8');
    const [rec] = parseRecordsJsonl(text).records;
    const enc = encodeRecord(rec!, tok);
    expect(enc.ids[0]).toBe(tok.bos);
    expect(enc.ids.at(-1)).toBe(tok.eos);
    expect(enc.ids[1]).toBe(151669); // <|user|>
    // The official processor tokenises the whole concatenated text at once; contents never hold
    // token strings here, so the per-block encoding equals it.
    const official = tok.encode(
      rec!.messages
        .map(
          (m) =>
            `<|${m.role}|>` +
            m.content.map((b) => `<|${b.type}|>${b.content}<|endofblock|>`).join('') +
            '<|endofmessage|>',
        )
        .join(''),
    );
    expect(enc.ids.slice(1, -1)).toEqual(official);
  });
});
