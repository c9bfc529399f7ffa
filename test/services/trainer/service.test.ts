import { userTurn } from '../../../src/core/prompt.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import type { TrainEvent, TrainProgress } from '../../../src/api/trainer.ts';
import { selectNodeBackend } from '../../../src/platform/node/backend.ts';
import { FileStore } from '../../../src/platform/node/file-store.ts';
import { TrainerService } from '../../../src/services/trainer/service.ts';
import { shortRecordsJsonl, tinyConfig } from './short-records.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function service(backend: 'cpu' | 'wasm', withStore = true) {
  let store: FileStore | undefined;
  if (withStore) {
    const d = await mkdtemp(join(tmpdir(), 'rc-train-'));
    dirs.push(d);
    store = new FileStore(d);
  }
  const svc = new TrainerService({
    selectBackend: selectNodeBackend,
    yieldFn: () => new Promise((r) => setImmediate(r)),
    openStore: store ? async () => store! : undefined,
  });
  await svc.setBackend(backend);
  let datasetId: string | null = null;
  if (store) datasetId = (await svc.importDataset('short.jsonl', shortRecordsJsonl())).id;
  return { svc, store, datasetId };
}

const numbers = (p: TrainProgress) => [
  p.step,
  p.loss,
  p.ce_teacher,
  p.ce_student,
  p.kl,
  p.mask_rate,
  p.lr,
  p.grad_norm,
  p.epoch,
];

describe.each(['cpu', 'wasm'] as const)('TrainerService on %s', (backend) => {
  it('trains all three losses and holds the tensor count constant between step 10 and step 60', async () => {
    const { svc, datasetId } = await service(backend);
    const counts = new Map<number, number>();
    const progress: TrainProgress[] = [];
    const summary = await svc.start(
      { datasets: [datasetId!], config: tinyConfig({ maxSteps: 60, batchSize: 1 }) },
      (e: TrainEvent) => {
        if (e.type !== 'progress') return;
        progress.push(e.progress);
        counts.set(e.progress.step, tf.memory().numTensors);
      },
    );
    expect(summary.state).toBe('finished');
    expect(summary.steps).toBe(60);
    expect(counts.get(10)).toBe(counts.get(60));
    // Distillation is on: the reflection records give student CE and KL terms.
    expect(progress.some((p) => p.ce_student > 0 && p.kl > 0)).toBe(true);
    expect(progress.at(-1)!.mask_rate).toBe(1);
    expect(progress.at(-1)!.ce_teacher).toBeLessThan(progress[0]!.ce_teacher);
    svc.dispose();
  });

  it('same seed → identical numbers; 10 + checkpoint + reload + 10 equals 20 straight, bitwise', async () => {
    const cfg = tinyConfig({ maxSteps: 20, batchSize: 1 }, { checkpointEvery: 10 });
    const a = await service(backend);
    const straight: TrainProgress[] = [];
    await a.svc.start(
      { datasets: [a.datasetId!], config: cfg },
      (e) => e.type === 'progress' && straight.push(e.progress),
    );
    const straightCkpt = (await a.svc.listCheckpoints())[0]!;
    const straightFiles = await a.svc.exportCheckpoint(straightCkpt.id);
    a.svc.dispose();

    // Same seed again, stopped right after the step-10 checkpoint, then resumed by a NEW service.
    const b = await service(backend);
    const first: TrainProgress[] = [];
    await b.svc.start({ datasets: [b.datasetId!], config: cfg }, (e) => {
      if (e.type === 'progress') first.push(e.progress);
      if (e.type === 'checkpoint' && e.meta.step === 10) void b.svc.stop();
    });
    expect(first.map(numbers)).toEqual(straight.slice(0, 10).map(numbers));
    const mid = (await b.svc.listCheckpoints())[0]!;
    expect(mid.step).toBe(10);
    b.svc.dispose();

    const c = new TrainerService({
      selectBackend: selectNodeBackend,
      yieldFn: () => new Promise((r) => setImmediate(r)),
      openStore: async () => b.store!,
    });
    await c.setBackend(backend);
    const second: TrainProgress[] = [];
    const history: TrainProgress[][] = [];
    const s = await c.start({ datasets: [], resumeFrom: mid.id }, (e) => {
      if (e.type === 'progress') second.push(e.progress);
      if (e.type === 'history') history.push(e.history);
    });
    expect(s.state).toBe('finished');
    expect(history[0]!.map(numbers)).toEqual(straight.slice(0, 10).map(numbers));
    expect(second.map(numbers)).toEqual(straight.slice(10).map(numbers));
    const resumed = await c.exportCheckpoint(mid.id);
    // Weights AND optimizer moments identical, byte for byte.
    expect(Buffer.from(resumed.safetensors).equals(Buffer.from(straightFiles.safetensors))).toBe(true);
    c.dispose();
  });
});

describe('TrainerService controls', () => {
  it('pauses, resumes and stops between steps; stop leaves a resumable checkpoint', async () => {
    const { svc, datasetId } = await service('wasm');
    const states: string[] = [];
    let pausedAt = -1;
    const run = svc.start({ datasets: [datasetId!], config: tinyConfig({ maxSteps: 30 }) }, (e) => {
      if (e.type === 'state') states.push(e.state);
      if (e.type === 'progress' && e.progress.step === 3) {
        void svc.pause().then(() => {
          pausedAt = e.progress.step;
          setTimeout(() => void svc.resume(), 50);
        });
      }
      if (e.type === 'progress' && e.progress.step === 6) void svc.stop();
    });
    const summary = await run;
    expect(pausedAt).toBe(3);
    expect(states).toEqual(['preparing', 'running', 'paused', 'running', 'stopping', 'stopped']);
    expect(summary.state).toBe('stopped');
    expect(summary.steps).toBeGreaterThanOrEqual(6);
    expect(summary.steps).toBeLessThan(30);
    const [ckpt] = await svc.listCheckpoints();
    expect(ckpt!.step).toBe(summary.steps);
    expect(ckpt!.totalSteps).toBe(30);
    svc.dispose();
  });

  it('stop() while the tokenizer trains ends the run as stopped before any step', async () => {
    const { svc, datasetId } = await service('wasm');
    const s = await svc.start({ datasets: [datasetId!], config: tinyConfig({ maxSteps: 5 }) }, (e) => {
      if (e.type === 'log' && e.message.startsWith('Tokenizer:')) void svc.stop();
    });
    expect(s).toMatchObject({ state: 'stopped', steps: 0 });
    expect(await svc.listCheckpoints()).toEqual([]);
    expect((await svc.status()).state).toBe('stopped');
    svc.dispose();
  });

  it('refuses a second start, a bad config (ConfigError naming the key) and unknown datasets', async () => {
    const { svc } = await service('wasm', false);
    await expect(
      svc.start({ datasets: ['builtin:demo'], config: { preset: 'tiny', train: { lr: -1 } } }, () => {}),
    ).rejects.toMatchObject({
      name: 'ConfigError',
      message: expect.stringContaining('lr'),
    });
    await expect(
      svc.start({ datasets: ['builtin:demo'], config: { preset: 'tiny', bogus: 1 } }, () => {}),
    ).rejects.toMatchObject({ name: 'ConfigError', message: expect.stringContaining('bogus') });
    await expect(svc.start({ datasets: ['ds-nothere'], config: tinyConfig() }, () => {})).rejects.toMatchObject({
      name: 'StorageError',
    });
    svc.dispose();
  });

  it('generates text with the trained tokenizer, streaming deltas that add up to the result', async () => {
    const { svc, datasetId } = await service('wasm');
    await svc.start({ datasets: [datasetId!], config: tinyConfig({ maxSteps: 3 }) }, () => {});
    const deltas: string[] = [];
    const text = await svc.generate(userTurn('Define add.'), { maxNewTokens: 12 }, (d) => deltas.push(d));
    expect(deltas.join('')).toBe(text);
    expect(text).not.toContain('<|endofblock|>');
    svc.dispose();
  });

  it('exports a checkpoint and imports it back; a corrupted export is refused and nothing is stored', async () => {
    const { svc, datasetId } = await service('wasm');
    await svc.start({ datasets: [datasetId!], config: tinyConfig({ maxSteps: 2 }, { checkpointEvery: 1 }) }, () => {});
    const [orig] = await svc.listCheckpoints();
    const files = await svc.exportCheckpoint(orig!.id);
    expect(files.baseName).toMatch(/step2$/);
    const imported = await svc.importCheckpoint({ safetensors: files.safetensors, json: files.json }, 'copy');
    expect(imported.name).toBe('copy');
    expect(imported.step).toBe(2);
    const bad = files.safetensors.slice(0, files.safetensors.length - 100);
    await expect(svc.importCheckpoint({ safetensors: bad, json: files.json })).rejects.toMatchObject({
      name: 'CheckpointError',
    });
    await expect(
      svc.importCheckpoint({ safetensors: files.safetensors, json: '{"format":"other"}' }),
    ).rejects.toMatchObject({ name: 'CheckpointError' });
    expect((await svc.listCheckpoints()).length).toBe(2);
    await svc.load(imported.id);
    expect((await svc.status()).loaded?.id).toBe(imported.id);
    svc.dispose();
  });
});
