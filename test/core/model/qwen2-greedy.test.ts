import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../../src/core/model/generate.ts';
import type { LlamaModel } from '../../../src/core/model/llama.ts';
import { LoraAdapter } from '../../../src/core/model/lora.ts';
import { loadPeftAdapter } from '../../../src/core/model/peft-folder.ts';
import { disposeNodeBackends, selectNodeBackend } from '../../../src/platform/node/backend.ts';
import { nodeModelSource } from '../../../src/platform/node/model-folder.ts';
import { openTinyQwen, qwenDir } from './qwen2-fixture.ts';

const greedy = JSON.parse(readFileSync(path.join(qwenDir, 'greedy.json'), 'utf8')) as {
  prompt_ids: number[];
  greedy_32: number[];
  greedy_32_with_lora: number[];
};

describe('tiny-qwen2 greedy generation (wasm)', () => {
  let model: LlamaModel;
  beforeAll(async () => {
    await selectNodeBackend('wasm');
    model = (await openTinyQwen()).model;
  });
  afterAll(() => {
    model?.dispose();
    disposeNodeBackends();
  });

  it('reproduces the reference 32 greedy ids with and without the KV cache', async () => {
    expect(await generate(model, greedy.prompt_ids, { maxNewTokens: 32 })).toEqual(greedy.greedy_32);
    expect(await generate(model, greedy.prompt_ids, { maxNewTokens: 32, useCache: false })).toEqual(greedy.greedy_32);
  });

  it('reproduces the 32 greedy ids with the LoRA adapter attached, and the base ids after detaching', async () => {
    const adapter = await loadPeftAdapter(nodeModelSource(path.join(qwenDir, 'lora')), model.config);
    adapter.attach(model);
    expect(await generate(model, greedy.prompt_ids, { maxNewTokens: 32 })).toEqual(greedy.greedy_32_with_lora);
    LoraAdapter.detach(model);
    adapter.dispose();
    expect(await generate(model, greedy.prompt_ids, { maxNewTokens: 32 })).toEqual(greedy.greedy_32);
  });
});
