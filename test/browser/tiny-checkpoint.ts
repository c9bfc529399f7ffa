/** A real checkpoint for browser tests: the tiny preset trained for 2 steps on the short records in Node. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectNodeBackend } from '../../src/platform/node/backend.ts';
import { FileStore } from '../../src/platform/node/file-store.ts';
import { createTrainerService } from '../../src/services/trainer/service.ts';
import { shortRecordsJsonl, tinyConfig } from '../services/trainer/short-records.ts';

export async function trainTinyCheckpoint(steps = 2): Promise<{ safetensors: Uint8Array; json: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'rc-ux-ckpt-'));
  try {
    const store = new FileStore(dir);
    const svc = createTrainerService({
      selectBackend: selectNodeBackend,
      openStore: async () => store,
      yieldFn: () => new Promise((r) => setImmediate(r)),
    });
    await svc.setBackend('cpu');
    const ds = await svc.importDataset('short.jsonl', shortRecordsJsonl());
    const config = tinyConfig(
      { maxSteps: steps, batchSize: 1 },
      { model: { maxSeqLen: 1024 }, checkpointEvery: steps },
    );
    const summary = await svc.start({ datasets: [ds.id], config, checkpoint: true }, () => {});
    svc.dispose();
    const got = await store.getCheckpoint(summary.checkpoint!.id);
    return got!.files;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
