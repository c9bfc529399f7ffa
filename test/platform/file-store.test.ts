import { mkdtemp, readdir, rename, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileStore } from '../../src/platform/node/file-store.ts';
import type { CheckpointMeta } from '../../src/api/store.ts';

const dirs: string[] = [];
async function fresh(): Promise<FileStore> {
  const d = await mkdtemp(join(tmpdir(), 'rc-store-'));
  dirs.push(d);
  return new FileStore(d);
}
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

const meta = (id: string, step: number): CheckpointMeta => ({
  id, name: `run ${id}`, savedAt: `2026-01-01T00:00:${String(step).padStart(2, '0')}Z`, step, totalSteps: 50, preset: 'smoke', loss: null, bytes: 1,
});

describe('FileStore', () => {
  it('round-trips checkpoints and datasets, renames, deletes', async () => {
    const s = await fresh();
    await s.putCheckpoint(meta('a', 1), { safetensors: new Uint8Array([1, 2]), json: '{"x":1}' });
    await s.putCheckpoint(meta('a', 2), { safetensors: new Uint8Array([3]), json: '{"x":2}' });
    const got = await s.getCheckpoint('a');
    expect(got?.meta.step).toBe(2);
    expect(Array.from(got!.files.safetensors)).toEqual([3]);
    await s.renameCheckpoint('a', 'new name');
    expect((await s.listCheckpoints()).map((m) => m.name)).toEqual(['new name']);
    await s.deleteCheckpoint('a');
    expect(await s.listCheckpoints()).toEqual([]);
    await s.putDataset({ id: 'd', name: 'n', provenance: { fileName: 'f', importedAt: 't', sha256: 'h' }, counts: { reflection: 1, generation: 0, dropped: 2 }, jsonl: 'x' });
    expect((await s.listDatasets())[0]).toEqual({ id: 'd', name: 'n', provenance: { fileName: 'f', importedAt: 't', sha256: 'h' }, counts: { reflection: 1, generation: 0, dropped: 2 } });
    expect((await s.getDataset('d'))?.jsonl).toBe('x');
  });

  it('reports a checkpoint folder with a missing file as a StorageError', async () => {
    const s = await fresh();
    await s.putCheckpoint(meta('a', 1), { safetensors: new Uint8Array([1]), json: '{}' });
    await unlink(join(s.root, 'checkpoints', 'a', 'checkpoint.safetensors'));
    await expect(s.getCheckpoint('a')).rejects.toMatchObject({ name: 'StorageError', message: expect.stringContaining('checkpoint.safetensors') });
  });

  it('rejects ids that could escape the store folder', async () => {
    const s = await fresh();
    await expect(s.putCheckpoint(meta('../evil', 1), { safetensors: new Uint8Array(1), json: '' })).rejects.toMatchObject({ name: 'StorageError' });
  });

  it('recovers the previous checkpoint after a crash between the swap renames', async () => {
    const s = await fresh();
    await s.putCheckpoint(meta('run', 5), { safetensors: new Uint8Array([5]), json: '{}' });
    // Simulate the crash: the live folder was moved aside and the new one never arrived.
    await rename(join(s.root, 'checkpoints', 'run'), join(s.root, 'checkpoints', '.old-run-1-1'));
    const got = await s.getCheckpoint('run');
    expect(got?.meta.step).toBe(5);
    expect(await readdir(join(s.root, 'checkpoints'))).toEqual(['run']);
  });
});
