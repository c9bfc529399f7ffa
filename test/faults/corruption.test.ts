/**
 * A flipped byte in every kind of stored file is detected (IntegrityError naming the damage), for a
 * real training run's store: checkpoint.safetensors (weights + AdamW moments), checkpoint.json
 * (RNG state, lr, ...), meta.json and the dataset file on disk; the same records in IndexedDB. A
 * damaged checkpoint is never resumed: the service refuses, then offers the previous good one.
 */
import 'fake-indexeddb/auto';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDB } from 'idb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdbStore } from '../../src/platform/browser/store.ts';
import { selectNodeBackend } from '../../src/platform/node/backend.ts';
import { FileStore } from '../../src/platform/node/file-store.ts';
import { TrainerService } from '../../src/services/trainer/service.ts';
import { shortRecordsJsonl, tinyConfig } from '../services/trainer/short-records.ts';
import { seeded } from './helpers.ts';

const FLIPS = 8;
let dir = '';
let store = '';
let ckptId = '';
let dsId = '';

const service = (root: string) =>
  new TrainerService({
    selectBackend: selectNodeBackend,
    yieldFn: () => new Promise((r) => setImmediate(r)),
    openStore: async () => new FileStore(root),
  });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rc-faults-flip-'));
  store = join(dir, 'store');
  const svc = service(store);
  await svc.setBackend('cpu');
  dsId = (await svc.importDataset('short.jsonl', shortRecordsJsonl())).id;
  const s = await svc.start(
    { datasets: [dsId], config: tinyConfig({ maxSteps: 4, batchSize: 1 }, { checkpointEvery: 2 }) },
    () => {},
  );
  ckptId = s.checkpoint!.id;
  svc.dispose();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function flip(bytes: Uint8Array, rand: () => number): number {
  const at = Math.floor(rand() * bytes.length);
  bytes[at] ^= 1 << Math.floor(rand() * 8);
  return at;
}

describe('fault injection: corrupted stores', () => {
  it(`detects ${FLIPS} random byte flips in each stored file kind (files)`, async () => {
    const rand = seeded(7);
    const kinds = [
      ['checkpoint.safetensors', join('checkpoints', ckptId, 'checkpoint.safetensors')],
      ['checkpoint.json', join('checkpoints', ckptId, 'checkpoint.json')],
      ['meta.json', join('checkpoints', ckptId, 'meta.json')],
      ['dataset', join('datasets', `${dsId}.json`)],
    ] as const;
    const detected: Record<string, number> = {};
    for (const [kind, rel] of kinds) {
      detected[kind] = 0;
      for (let i = 0; i < FLIPS; i++) {
        const copy = join(dir, `flip-${kind}-${i}`);
        await cp(store, copy, { recursive: true });
        const bytes = new Uint8Array(await readFile(join(copy, rel)));
        const at = flip(bytes, rand);
        await writeFile(join(copy, rel), bytes);
        const s = new FileStore(copy);
        const err = await (kind === 'dataset' ? s.getDataset(dsId) : s.getCheckpoint(ckptId)).then(
          () => null,
          (e: Error) => e,
        );
        expect(err?.name, `${kind} byte ${at}`).toBe('IntegrityError');
        if (kind !== 'dataset') {
          // The previous good checkpoint (step 2) now stands under the same id; nothing garbage loads.
          expect(err!.message).toMatch(/previous good checkpoint of this run \(step 2/);
          expect((await s.getCheckpoint(ckptId))!.meta.step).toBe(2);
          expect((await readdir(join(copy, 'checkpoints'))).some((n) => n.startsWith(`.damaged-${ckptId}`))).toBe(true);
        }
        detected[kind]++;
        await rm(copy, { recursive: true, force: true });
      }
    }
    console.log(`[faults] byte flips detected (files): ${JSON.stringify(detected)}`);
  });

  it('a resume from a damaged checkpoint is refused with the damage named, the next resume uses the previous good one', async () => {
    const copy = join(dir, 'resume');
    await cp(store, copy, { recursive: true });
    const path = join(copy, 'checkpoints', ckptId, 'checkpoint.json');
    await writeFile(path, (await readFile(path, 'utf8')).replace('"lr":', '"lr":1'));
    const svc = service(copy);
    await svc.setBackend('cpu');
    await expect(svc.start({ datasets: [], resumeFrom: ckptId }, () => {})).rejects.toMatchObject({
      name: 'IntegrityError',
      message: expect.stringMatching(
        /checkpoint\.json has \d+ bytes, expected \d+.*previous good checkpoint of this run \(step 2/,
      ),
    });
    const steps: number[] = [];
    const s = await svc.start(
      { datasets: [], resumeFrom: ckptId },
      (e) => e.type === 'progress' && steps.push(e.progress.step),
    );
    expect(steps[0]).toBe(3);
    expect(s.state).toBe('finished');
    svc.dispose();
  });

  it(`detects ${FLIPS} random byte flips in each IndexedDB record kind`, async () => {
    const rand = seeded(8);
    const files = new FileStore(store);
    const ck = (await files.getCheckpoint(ckptId))!;
    const ds = (await files.getDataset(dsId))!;
    const detected: Record<string, number> = {};
    const kinds = [
      'checkpointFiles.safetensors',
      'checkpointFiles.json',
      'checkpointMeta',
      'datasetData',
      'datasetMeta',
    ] as const;
    let n = 0;
    for (const kind of kinds) {
      detected[kind] = 0;
      for (let i = 0; i < FLIPS; i++) {
        const name = `faults-${process.pid}-${n++}`;
        const idb = await IdbStore.open({ name });
        await idb.putCheckpoint(ck.meta, ck.files);
        await idb.putDataset(ds);
        const raw = await openDB(name);
        const te = new TextEncoder();
        const td = new TextDecoder();
        const flipText = (s: string) => {
          const b = te.encode(s);
          flip(b, rand);
          return td.decode(b);
        };
        if (kind === 'checkpointFiles.safetensors') {
          const f = await raw.get('checkpointFiles', ckptId);
          flip(f.safetensors, rand);
          await raw.put('checkpointFiles', f);
        } else if (kind === 'checkpointFiles.json') {
          const f = await raw.get('checkpointFiles', ckptId);
          await raw.put('checkpointFiles', { ...f, json: flipText(f.json) });
        } else if (kind === 'datasetData') {
          const d = await raw.get('datasetData', dsId);
          await raw.put('datasetData', { ...d, jsonl: flipText(d.jsonl) });
        } else {
          // Metadata records are objects, not bytes: flip a byte of their JSON form until it still parses
          // (a record that does not parse cannot be stored), keeping the key so the load finds it.
          const store = kind === 'checkpointMeta' ? 'checkpointMeta' : 'datasetMeta';
          const id = kind === 'checkpointMeta' ? ckptId : dsId;
          const m = await raw.get(store, id);
          let changed: object | null = null;
          while (!changed) {
            try {
              const c = JSON.parse(flipText(JSON.stringify(m)));
              if (JSON.stringify(c) !== JSON.stringify(m) && c?.id === id) changed = c;
            } catch {
              // try another byte
            }
          }
          await raw.put(store, changed);
        }
        raw.close();
        const load = kind.startsWith('dataset') ? idb.getDataset(dsId) : idb.getCheckpoint(ckptId);
        const err = await load.then(
          () => null,
          (e: Error) => e,
        );
        expect(err?.name, `${kind} flip ${i}`).toBe('IntegrityError');
        detected[kind]++;
        idb.close();
      }
    }
    console.log(`[faults] byte flips detected (IndexedDB): ${JSON.stringify(detected)}`);
  });
});
