import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BUILTIN_DEMO_DATASET } from '../../../src/api/trainer.ts';
import { demoRecords } from '../../../src/core/data/demo-records.ts';
import { datasetFromFile, loadCheckpointDatasets, loadDatasets } from '../../../src/services/trainer/datasets.ts';
import type { StoredDataset, TrainStore } from '../../../src/api/store.ts';
import { shortRecords, shortRecordsJsonl } from './short-records.ts';

function memoryStore(): TrainStore & { data: Map<string, StoredDataset> } {
  const data = new Map<string, StoredDataset>();
  return {
    data,
    listDatasets: async () => [...data.values()],
    getDataset: async (id) => data.get(id),
    putDataset: async (d) => void data.set(d.id, d),
    deleteDataset: async (id) => void data.delete(id),
    listCheckpoints: async () => [],
    getCheckpoint: async () => undefined,
    putCheckpoint: async () => {},
    renameCheckpoint: async () => {},
    deleteCheckpoint: async () => {},
  };
}

describe('datasets', () => {
  it('records provenance (file name, date, sha-256 of the bytes) and counts, dropping exact duplicates', async () => {
    const bytes = shortRecordsJsonl();
    const text = new TextDecoder().decode(bytes);
    const firstLine = text.split('\n')[0];
    const withDup = new TextEncoder().encode(text + firstLine + '\n');
    const ds = await datasetFromFile('my data.jsonl', withDup, new Date('2026-01-02T03:04:05Z'));
    expect(ds.name).toBe('my data');
    expect(ds.provenance).toEqual({
      fileName: 'my data.jsonl',
      importedAt: '2026-01-02T03:04:05.000Z',
      sha256: createHash('sha256').update(withDup).digest('hex'),
    });
    expect(ds.counts).toEqual({ reflection: 6, generation: 6, dropped: 1 });
    expect(ds.id).toBe(`ds-${ds.provenance.sha256.slice(0, 16)}`);
  });

  it('refuses a file with a bad line, naming the line, and stores nothing', async () => {
    const store = memoryStore();
    const text = new TextDecoder().decode(shortRecordsJsonl()).split('\n');
    text.splice(2, 0, '{"type": "reflection", "messages": []}');
    const bad = new TextEncoder().encode(text.join('\n'));
    await expect(datasetFromFile('bad.jsonl', bad)).rejects.toMatchObject({
      name: 'DataFormatError',
      message: expect.stringMatching(/^bad\.jsonl: 1 bad line.*line 3: /),
    });
    await expect(datasetFromFile('bin.jsonl', new Uint8Array([0xff, 0xfe, 0x00]))).rejects.toMatchObject({
      name: 'DataFormatError',
      message: expect.stringContaining('UTF-8'),
    });
    expect(store.data.size).toBe(0);
  });

  it('loads the demo and stored datasets in order, and notices a changed dataset on resume', async () => {
    const store = memoryStore();
    const ds = await datasetFromFile('short.jsonl', shortRecordsJsonl());
    await store.putDataset(ds);
    const { records, refs } = await loadDatasets(store, [BUILTIN_DEMO_DATASET, ds.id]);
    expect(records.length).toBe(demoRecords().length + shortRecords().length);
    expect(refs.map((r) => r.id)).toEqual([BUILTIN_DEMO_DATASET, ds.id]);
    expect(await loadCheckpointDatasets(store, refs)).toHaveLength(records.length);
    await store.putDataset({ ...ds, provenance: { ...ds.provenance, sha256: 'f'.repeat(64) } });
    await expect(loadCheckpointDatasets(store, refs)).rejects.toMatchObject({
      name: 'DataFormatError',
      message: expect.stringContaining('changed since the checkpoint'),
    });
    await expect(loadDatasets(store, ['ds-missing'])).rejects.toMatchObject({ name: 'DataFormatError' });
    await expect(loadDatasets(store, [])).rejects.toMatchObject({ name: 'DataFormatError' });
  });
});
