import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { describe, expect, it } from 'vitest';
import { IdbStore } from '../../src/platform/browser/store.ts';
import type { CheckpointMeta, StoredDataset } from '../../src/api/store.ts';

let dbCounter = 0;
const freshName = () => `test-train-${process.pid}-${dbCounter++}`;

function meta(
  id: string,
  step: number,
  savedAt = `2026-01-01T00:00:${String(step).padStart(2, '0')}Z`,
): CheckpointMeta {
  return { id, name: `run ${id}`, savedAt, step, totalSteps: 100, preset: 'tiny', loss: 1 / (step + 1), bytes: 4 };
}

const dataset: StoredDataset = {
  id: 'd1',
  name: 'demo',
  provenance: { fileName: 'demo.jsonl', importedAt: '2026-01-01T00:00:00Z', sha256: 'ab'.repeat(32) },
  counts: { reflection: 2, generation: 1, dropped: 0 },
  jsonl: '{"a":1}\n',
};

describe('IdbStore (fake-indexeddb)', () => {
  it('stores, lists, renames and deletes checkpoints', async () => {
    const store = await IdbStore.open({ name: freshName() });
    await store.putCheckpoint(meta('a', 1), { safetensors: new Uint8Array([1, 2, 3, 4]), json: '{"step":1}' });
    await store.putCheckpoint(meta('b', 2), { safetensors: new Uint8Array([5]), json: '{"step":2}' });
    expect((await store.listCheckpoints()).map((m) => m.id)).toEqual(['b', 'a']); // newest first
    const got = await store.getCheckpoint('a');
    expect(got?.meta.step).toBe(1);
    expect(Array.from(got!.files.safetensors)).toEqual([1, 2, 3, 4]);
    expect(got?.files.json).toBe('{"step":1}');
    await store.renameCheckpoint('a', 'renamed');
    expect((await store.getCheckpoint('a'))?.meta.name).toBe('renamed');
    await expect(store.renameCheckpoint('zzz', 'x')).rejects.toMatchObject({ name: 'StorageError' });
    await store.deleteCheckpoint('a');
    expect(await store.getCheckpoint('a')).toBeUndefined();
    expect((await store.listCheckpoints()).map((m) => m.id)).toEqual(['b']);
    store.close();
  });

  it('stores datasets with provenance and counts, listing without the records', async () => {
    const store = await IdbStore.open({ name: freshName() });
    await store.putDataset(dataset);
    const list = await store.listDatasets();
    expect(list).toHaveLength(1);
    expect(list[0]).not.toHaveProperty('jsonl');
    expect(list[0].provenance.sha256).toBe('ab'.repeat(32));
    expect(await store.getDataset('d1')).toEqual(dataset);
    await store.deleteDataset('d1');
    expect(await store.getDataset('d1')).toBeUndefined();
    store.close();
  });

  it('keeps the previous checkpoint intact when a write fails mid-transaction', async () => {
    let failOn: string | null = null;
    const store = await IdbStore.open({
      name: freshName(),
      onWrite: (s) => {
        if (s === failOn) throw new Error('simulated crash after writing ' + s);
      },
    });
    await store.putCheckpoint(meta('run', 10), { safetensors: new Uint8Array([10, 10]), json: '{"step":10}' });
    // The files are written first, then the metadata: fail after the files are already put.
    failOn = 'checkpointFiles';
    await expect(
      store.putCheckpoint(meta('run', 20), { safetensors: new Uint8Array([20, 20, 20]), json: '{"step":20}' }),
    ).rejects.toMatchObject({ name: 'StorageError', message: expect.stringContaining('previous checkpoint was kept') });
    const got = await store.getCheckpoint('run');
    expect(got?.meta.step).toBe(10);
    expect(Array.from(got!.files.safetensors)).toEqual([10, 10]);
    expect(got?.files.json).toBe('{"step":10}');
    failOn = null;
    await store.putCheckpoint(meta('run', 30), { safetensors: new Uint8Array([30]), json: '{"step":30}' });
    expect((await store.getCheckpoint('run'))?.meta.step).toBe(30);
    store.close();
  });

  it('reports QuotaExceededError as a StorageError that says the previous checkpoint was kept', async () => {
    let full = false;
    const store = await IdbStore.open({
      name: freshName(),
      onWrite: () => {
        if (full) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      },
    });
    await store.putCheckpoint(meta('run', 1), { safetensors: new Uint8Array([1]), json: '{}' });
    full = true;
    const err = await store
      .putCheckpoint(meta('run', 2), { safetensors: new Uint8Array(2_000_000), json: '{}' })
      .catch((e) => e);
    expect(err.name).toBe('StorageError');
    expect(err.message).toMatch(/storage is full \(QuotaExceededError\).*previous checkpoint was kept.*export/);
    expect((await store.getCheckpoint('run'))?.meta.step).toBe(1);
    store.close();
  });

  it('detects a changed byte in the weights, checkpoint.json or metadata and offers the previous generation', async () => {
    const damage: [string, (db: Awaited<ReturnType<typeof openDB>>) => Promise<void>][] = [
      [
        'checkpoint.safetensors',
        async (db) => {
          const f = await db.get('checkpointFiles', 'run');
          f.safetensors[1] ^= 1;
          await db.put('checkpointFiles', f);
        },
      ],
      [
        'checkpoint.json',
        async (db) => {
          const f = await db.get('checkpointFiles', 'run');
          await db.put('checkpointFiles', { ...f, json: f.json.replace('0.002', '0.003') });
        },
      ],
      [
        'metadata',
        async (db) => {
          const m = await db.get('checkpointMeta', 'run');
          await db.put('checkpointMeta', { ...m, step: 99 });
        },
      ],
    ];
    for (const [what, corrupt] of damage) {
      const name = freshName();
      const store = await IdbStore.open({ name });
      await store.putCheckpoint(meta('run', 5), { safetensors: new Uint8Array([5, 5]), json: '{"lr":0.001}' });
      await store.putCheckpoint(meta('run', 6), { safetensors: new Uint8Array([6, 6]), json: '{"lr":0.002}' });
      const raw = await openDB(name);
      await corrupt(raw);
      raw.close();
      const err = await store.getCheckpoint('run').then(
        () => null,
        (e: Error) => e,
      );
      expect(err?.name, what).toBe('IntegrityError');
      expect(err?.message, what).toContain(what);
      expect(err?.message, what).toMatch(/previous good checkpoint of this run \(step 5/);
      const again = await store.getCheckpoint('run');
      expect(again?.meta.step, what).toBe(5);
      expect(again?.files.json).toBe('{"lr":0.001}');
      store.close();
    }
  });

  it('says so when no earlier copy exists, and detects a damaged dataset', async () => {
    const name = freshName();
    const store = await IdbStore.open({ name });
    await store.putCheckpoint(meta('one', 1), { safetensors: new Uint8Array([1]), json: '{}' });
    await store.putDataset(dataset);
    const raw = await openDB(name);
    const f = await raw.get('checkpointFiles', 'one');
    await raw.put('checkpointFiles', { ...f, safetensors: new Uint8Array([2]) });
    await raw.put('datasetData', { id: 'd1', jsonl: '{"a":2}\n' });
    raw.close();
    await expect(store.getCheckpoint('one')).rejects.toMatchObject({
      name: 'IntegrityError',
      message: expect.stringMatching(/checkpoint\.safetensors does not match its sha-256.*no earlier good copy/),
    });
    await expect(store.getDataset('d1')).rejects.toMatchObject({
      name: 'IntegrityError',
      message: expect.stringContaining('dataset "demo" in browser storage is damaged'),
    });
    store.close();
  });

  it('upgrades a version-1 database and still reads its checkpoints', async () => {
    const name = freshName();
    const v1 = await openDB(name, 1, {
      upgrade(db) {
        for (const s of ['datasetMeta', 'datasetData', 'checkpointMeta', 'checkpointFiles'])
          db.createObjectStore(s, { keyPath: 'id' });
      },
    });
    await v1.put('checkpointMeta', meta('old', 3));
    await v1.put('checkpointFiles', { id: 'old', safetensors: new Uint8Array([3]), json: '{}' });
    v1.close();
    const store = await IdbStore.open({ name });
    expect((await store.getCheckpoint('old'))?.meta.step).toBe(3);
    await store.putCheckpoint(meta('old', 4), { safetensors: new Uint8Array([4]), json: '{}' });
    expect((await store.getCheckpoint('old'))?.meta.step).toBe(4);
    store.close();
  });
});
