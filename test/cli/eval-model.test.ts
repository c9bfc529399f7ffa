/** `evaluate --model` resolution: a trainer store (newest or a named checkpoint), a checkpoint folder, refusals. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.ts';
import { humanEvalPromptIds } from '../../src/core/eval/prompt.ts';
import { disposeNodeBackends, selectNodeBackend } from '../../src/platform/node/backend.ts';
import { loadEvalModel } from '../../src/cli/eval-model.ts';
import { FileStore } from '../../src/platform/node/file-store.ts';
import { createTrainerService } from '../../src/services/trainer/service.ts';
import { shortRecordsJsonl, tinyConfig } from '../services/trainer/short-records.ts';

let dir = '';
const ids: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rc-eval-model-'));
  const store = new FileStore(dir);
  const svc = createTrainerService({
    selectBackend: selectNodeBackend,
    openStore: async () => store,
    yieldFn: () => new Promise((r) => setImmediate(r)),
  });
  await svc.setBackend('cpu');
  const ds = await svc.importDataset('short.jsonl', shortRecordsJsonl());
  for (const name of ['first', 'second']) {
    const s = await svc.start(
      {
        datasets: [ds.id],
        runName: name,
        config: tinyConfig({ maxSteps: 1, batchSize: 1 }, { checkpointEvery: 1 }),
        checkpoint: true,
      },
      () => {},
    );
    ids.push(s.checkpoint!.id);
    await new Promise((r) => setTimeout(r, 20)); // distinct savedAt
  }
  svc.dispose();
}, 120_000);
afterAll(async () => {
  disposeNodeBackends();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('loadEvalModel', () => {
  it('loads the newest checkpoint of a store, a named one, or a checkpoint folder — each with its tokenizer', async () => {
    const newest = await loadEvalModel(dir);
    expect(newest.source).toMatch(new RegExp(`checkpoint ${ids[1]} \\(second, step 1; newest of 2\\)`));
    expect(humanEvalPromptIds('def f():\n    pass\n', newest.loaded.tokenizer)[0]).toBe(newest.loaded.tokenizer.bos);
    newest.loaded.dispose();
    const named = await loadEvalModel(dir, ids[0]);
    expect(named.source).toMatch(/\(first, step 1\)/);
    named.loaded.dispose();
    const folder = await loadEvalModel(join(dir, 'checkpoints', ids[0]));
    expect(folder.source).toBe(`checkpoint ${join(dir, 'checkpoints', ids[0])}`);
    expect(folder.loaded.model.config.vocabSize).toBe(folder.loaded.tokenizer.vocabSize);
    folder.loaded.dispose();
  });

  it('refuses files, unknown ids and folders without a model, saying why', async () => {
    await writeFile(join(dir, 'model.bin'), new Uint8Array(8));
    await expect(loadEvalModel(join(dir, 'model.bin'))).rejects.toThrow(/llama2\.c \.bin has no tokenizer for code/);
    await expect(loadEvalModel(dir, 'nope')).rejects.toThrow(/no checkpoint "nope"/);
    await expect(loadEvalModel(join(dir, 'datasets'))).rejects.toThrow(UsageError);
    await expect(loadEvalModel(join(dir, 'missing'))).rejects.toThrow(/does not exist/);
  });
});
