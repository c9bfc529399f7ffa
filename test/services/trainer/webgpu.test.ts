/**
 * The trainer on WebGPU (Dawn on SwiftShader in Node) agrees with the cpu backend: the same seed
 * gives the same losses and gradient norms within float tolerance. SwiftShader is slow and compiles
 * shaders on first use, so: tiny preset, short records, three steps.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { TrainProgress } from '../../../src/api/trainer.ts';
import { disposeNodeBackends, selectNodeBackend } from '../../../src/platform/node/backend.ts';
import { TrainerService } from '../../../src/services/trainer/service.ts';
import { installNodeWebGPU } from '../../../src/platform/node-webgpu.ts';
import { FileStore } from '../../../src/platform/node/file-store.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shortRecordsJsonl, tinyConfig } from './short-records.ts';

const probe = await installNodeWebGPU();
const available = probe.available;
probe.dispose();

const dirs: string[] = [];
afterAll(async () => {
  disposeNodeBackends();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function train(backend: 'cpu' | 'webgpu'): Promise<TrainProgress[]> {
  const d = await mkdtemp(join(tmpdir(), 'rc-wgpu-'));
  dirs.push(d);
  const store = new FileStore(d);
  const svc = new TrainerService({
    selectBackend: selectNodeBackend,
    yieldFn: () => new Promise((r) => setImmediate(r)),
    openStore: async () => store,
  });
  await svc.setBackend(backend);
  const id = (await svc.importDataset('short.jsonl', shortRecordsJsonl())).id;
  const out: TrainProgress[] = [];
  await svc.start(
    { datasets: [id], config: tinyConfig({ maxSteps: 3, batchSize: 1 }), checkpoint: false },
    (e) => e.type === 'progress' && out.push(e.progress),
  );
  svc.dispose();
  return out;
}

describe.skipIf(!available)('TrainerService on webgpu (SwiftShader)', () => {
  it('matches cpu: losses and gradient norms of the first steps', async () => {
    const cpu = await train('cpu');
    const gpu = await train('webgpu');
    expect(gpu).toHaveLength(3);
    for (const [i, g] of gpu.entries()) {
      const c = cpu[i]!;
      for (const k of ['loss', 'ce_teacher', 'ce_student', 'kl', 'grad_norm'] as const) {
        expect(Math.abs(g[k] - c[k]), `step ${i + 1} ${k}: webgpu ${g[k]} vs cpu ${c[k]}`).toBeLessThanOrEqual(
          1e-3 * Math.max(1, Math.abs(c[k])),
        );
      }
    }
  });
});
