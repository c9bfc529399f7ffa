/**
 * CLI: `finetune` (LoRA, ReflectionCoder objective) on tiny-qwen2 → `export --format peft|merged`
 * → both reload here bit for bit, the merged model equals base + adapter, and `generate` runs
 * with the merged folder and with the base + --adapter.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadHFFolder } from '../../src/core/model/hf-folder.ts';
import { LoraAdapter } from '../../src/core/model/lora.ts';
import { applyPeftAdapter } from '../../src/core/model/peft-folder.ts';
import { addReflectionTokens } from '../../src/core/model/reflection-tokens.ts';
import { parseSafetensors } from '../../src/core/model/safetensors.ts';
import { loadHFTokenizer } from '../../src/core/tokenizer/hf-load.ts';
import { recordsToJsonl } from '../../src/core/records/jsonl.ts';
import { selectNodeBackend } from '../../src/platform/node/backend.ts';
import { nodeModelSource } from '../../src/platform/node/model-folder.ts';
import { tinyQwenFolder, tinyRecords } from '../services/trainer/tiny-qwen-folder.ts';
import { cli } from './run-cli.ts';

describe('finetune → export → reload (CLI)', () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'rcw-ft-cli-'));
  const base = tinyQwenFolder();
  const data = path.join(tmp, 'records.jsonl');
  const ckpt = path.join(tmp, 'ckpt');
  beforeAll(async () => {
    writeFileSync(data, recordsToJsonl(tinyRecords()));
    await selectNodeBackend('cpu');
  });

  it('trains a LoRA adapter with the ReflectionCoder objective and exports PEFT and merged folders that reload', async () => {
    const ft = await cli([
      'finetune',
      '--model',
      base,
      '--data',
      data,
      '--out',
      ckpt,
      '--max-steps',
      '6',
      '--batch-size',
      '2',
      '--max-len',
      '64',
      '--lr',
      '1e-2',
      '--lora-rank',
      '4',
      '--lora-alpha',
      '8',
      '--backend',
      'wasm',
    ]);
    expect(ft.code, ft.stderr).toBe(0);
    expect(ft.stderr).toMatch(/lora fine-tuning, 4 records/);
    expect(ft.stderr).toMatch(/step 6\/6 loss \d/);
    expect(ft.stderr).toMatch(/<\|user\|>=99/);

    const peft = path.join(tmp, 'peft');
    const merged = path.join(tmp, 'merged');
    for (const [format, out] of [
      ['peft', peft],
      ['merged', merged],
    ]) {
      const r = await cli(['export', '--from', ckpt, '--format', format, '--out', out]);
      expect(r.code, r.stderr).toBe(0);
    }
    const cfg = JSON.parse(readFileSync(path.join(peft, 'adapter_config.json'), 'utf8'));
    expect(cfg).toMatchObject({ peft_type: 'LORA', r: 4, lora_alpha: 8, modules_to_save: ['embed_tokens'] });
    const at = parseSafetensors(new Uint8Array(readFileSync(path.join(peft, 'adapter_model.safetensors'))));
    expect(at.get('base_model.model.model.layers.1.mlp.down_proj.lora_A.weight')!.shape).toEqual([4, 64]);
    expect(at.get('base_model.model.model.layers.1.mlp.down_proj.lora_B.weight')!.shape).toEqual([32, 4]);
    expect(at.get('base_model.model.model.embed_tokens.weight')!.shape).toEqual([106, 32]);
    const mcfg = JSON.parse(readFileSync(path.join(merged, 'config.json'), 'utf8'));
    expect(mcfg).toMatchObject({
      architectures: ['Qwen2ForCausalLM'],
      vocab_size: 106,
      tie_word_embeddings: true,
      torch_dtype: 'float32',
      rope_theta: 1e6,
    });

    // Merged reloads bit for bit; its tokenizer already has the tokens, so nothing is resized again.
    const m = await loadHFFolder(nodeModelSource(merged));
    const mtok = (await loadHFTokenizer(nodeModelSource(merged)))!;
    expect(mtok.special('<|endofmessage|>')).toBe(105);
    const again = addReflectionTokens(m.model, mtok);
    expect(again.added).toEqual([]);
    const file = parseSafetensors(new Uint8Array(readFileSync(path.join(merged, 'model.safetensors'))));
    for (const [name, t] of m.model.toHFTensors()) {
      expect(Array.from(await t.data()), name).toEqual(Array.from(file.get(name)!.data));
      t.dispose();
    }

    // PEFT on the base (resized with the adapter's tokenizer) gives the merged model's logits,
    // and its tensors re-export bit for bit.
    const b = await loadHFFolder(nodeModelSource(base));
    const btok = (await loadHFTokenizer(nodeModelSource(base)))!;
    const resized = addReflectionTokens(b.model, btok).model;
    const adapter = await applyPeftAdapter(nodeModelSource(peft), resized);
    for (const [w, { a, b: bb }] of adapter.modules) {
      const key = `base_model.model.${w.replace(/\.weight$/, '')}`;
      expect(Array.from(await tf.transpose(a).data())).toEqual(Array.from(at.get(`${key}.lora_A.weight`)!.data));
      expect(Array.from(await tf.transpose(bb).data())).toEqual(Array.from(at.get(`${key}.lora_B.weight`)!.data));
    }
    const ids = tf.tensor2d([[99, 40, 50, 101, 60, 103, 70, 105, 1]], [1, 9], 'int32');
    const viaAdapter = await resized.forward(ids).data();
    const viaMerged = await m.model.forward(ids).data();
    let maxDiff = 0;
    for (let i = 0; i < viaMerged.length; i++) maxDiff = Math.max(maxDiff, Math.abs(viaMerged[i] - viaAdapter[i]));
    expect(maxDiff).toBeLessThan(1e-4);
    LoraAdapter.detach(resized);
    adapter.dispose();
    resized.dispose();
    m.model.dispose();
    ids.dispose();

    // generate with the merged folder and with base + --adapter: the same greedy ids.
    const g1 = await cli([
      'generate',
      '--model',
      merged,
      '--prompt-ids',
      '99 40 50',
      '--max-new-tokens',
      '8',
      '--print-ids',
      '--backend',
      'cpu',
    ]);
    const g2 = await cli([
      'generate',
      '--model',
      base,
      '--adapter',
      peft,
      '--prompt-ids',
      '99 40 50',
      '--max-new-tokens',
      '8',
      '--print-ids',
      '--backend',
      'cpu',
    ]);
    expect(g1.code, g1.stderr).toBe(0);
    expect(g2.code, g2.stderr).toBe(0);
    expect(g2.stdout.trim().split('\n').at(-1)).toBe(g1.stdout.trim().split('\n').at(-1));
  }, 240_000);

  it('export refuses a checkpoint whose base files changed', async () => {
    const other = tinyQwenFolder();
    const shard = path.join(other, 'model-00002-of-00002.safetensors');
    const bytes = new Uint8Array(readFileSync(shard));
    bytes[bytes.length - 1] ^= 1; // one bit of the final norm
    writeFileSync(shard, bytes);
    const r = await cli([
      'export',
      '--from',
      ckpt,
      '--format',
      'merged',
      '--out',
      path.join(tmp, 'x'),
      '--model',
      other,
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/not the base model of this checkpoint: model-00002-of-00002\.safetensors differs/);
  }, 120_000);
});
