import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileStore } from '../../../src/platform/node/file-store.ts';
import { importDatasets } from '../../../src/services/trainer/datasets.ts';
import { shortRecordsJsonl } from './short-records.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
async function store(): Promise<FileStore> {
  const d = await mkdtemp(join(tmpdir(), 'rc-import-'));
  dirs.push(d);
  return new FileStore(d);
}

const good = shortRecordsJsonl();
const other = new TextEncoder().encode(new TextDecoder().decode(good).split('\n').slice(0, 2).join('\n') + '\n');
const bad = new TextEncoder().encode('{"type":"generation","messages":[]}\nnot json\n');

describe('multi-file dataset import', () => {
  it('stores nothing when a later file has a bad line', async () => {
    const s = await store();
    await expect(
      importDatasets(s, [
        { fileName: 'a.jsonl', bytes: good },
        { fileName: 'b.jsonl', bytes: bad },
      ]),
    ).rejects.toMatchObject({
      name: 'DataFormatError',
      message: expect.stringContaining('b.jsonl'),
    });
    expect(await s.listDatasets()).toEqual([]);
  });

  it('removes the files it stored when storing a later one fails, and keeps datasets that were there before', async () => {
    const s = await store();
    const [before] = await importDatasets(s, [{ fileName: 'a.jsonl', bytes: good }]);
    let puts = 0;
    const failing = Object.assign(Object.create(s) as FileStore, {
      putDataset: async (d: Parameters<FileStore['putDataset']>[0]) => {
        if (++puts === 3) throw new Error('disk unplugged');
        return s.putDataset(d);
      },
    });
    const third = new TextEncoder().encode(new TextDecoder().decode(good).split('\n')[0] + '\n');
    const err = await importDatasets(failing, [
      { fileName: 'a.jsonl', bytes: good },
      { fileName: 'b.jsonl', bytes: other },
      { fileName: 'c.jsonl', bytes: third },
    ]).catch((e: Error) => e);
    expect(err).toMatchObject({
      name: 'StorageError',
      message: expect.stringMatching(/failed at c .*disk unplugged.*none of the files was stored/),
    });
    expect((await s.listDatasets()).map((d) => d.id)).toEqual([before!.id]);
  });

  it('stores every file when all are good', async () => {
    const s = await store();
    const metas = await importDatasets(s, [
      { fileName: 'a.jsonl', bytes: good },
      { fileName: 'b.jsonl', bytes: other },
    ]);
    expect((await s.listDatasets()).map((d) => d.id).sort()).toEqual(metas.map((m) => m.id).sort());
  });
});
