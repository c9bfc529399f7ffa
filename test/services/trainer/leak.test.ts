import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { selectNodeBackend } from '../../../src/platform/node/backend.ts';
import { FileStore } from '../../../src/platform/node/file-store.ts';
import { TrainerService } from '../../../src/services/trainer/service.ts';
import { shortRecordsJsonl, tinyConfig } from './short-records.ts';

let dir = '';
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('TrainerService tensor leaks', () => {
  it('holds the tensor count flat over 20 start/stop and resume cycles in one service', async () => {
    dir = await mkdtemp(join(tmpdir(), 'rc-leak-'));
    const store = new FileStore(dir);
    const svc = new TrainerService({
      selectBackend: selectNodeBackend,
      yieldFn: () => new Promise((r) => setImmediate(r)),
      openStore: async () => store,
    });
    await svc.setBackend('cpu');
    const ds = (await svc.importDataset('short.jsonl', shortRecordsJsonl())).id;
    const cfg = tinyConfig({ maxSteps: 40, batchSize: 1 }, { checkpointEvery: 0 });
    const counts: number[] = [];
    let ckpt: string | null = null;
    for (let i = 0; i < 20; i++) {
      // Alternate fresh starts and resumes; each stops after its first step.
      const req = ckpt && i % 2 === 1 ? { datasets: [], resumeFrom: ckpt } : { datasets: [ds], config: cfg };
      const summary = await svc.start(req, (e) => {
        if (e.type === 'progress') void svc.stop();
      });
      expect(summary.state).toBe('stopped');
      ckpt = summary.checkpoint?.id ?? ckpt;
      counts.push(tf.memory().numTensors);
    }
    // A fresh run and a resumed one hold the same tensors (model + moments + RoPE tables).
    expect(new Set(counts.slice(2)).size, `tensor counts per cycle: ${counts.join(', ')}`).toBe(1);
    svc.dispose();
  });
});
