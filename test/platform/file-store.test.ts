import { cp, mkdtemp, readdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileStore } from '../../src/platform/node/file-store.ts';
import type { CheckpointMeta, StoredDataset } from '../../src/api/store.ts';

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
  id,
  name: `run ${id}`,
  savedAt: `2026-01-01T00:00:${String(step).padStart(2, '0')}Z`,
  step,
  totalSteps: 50,
  preset: 'smoke',
  loss: null,
  bytes: 1,
});

/** A stored dataset 'd' (counts and jsonl vary by test). */
const dataset = (jsonl = 'x', dropped = 0): StoredDataset => ({
  id: 'd',
  name: 'n',
  provenance: { fileName: 'f', importedAt: 't', sha256: 'h' },
  counts: { reflection: 1, generation: 0, dropped },
  jsonl,
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
    await s.putDataset(dataset('x', 2));
    expect((await s.listDatasets())[0]).toEqual({
      id: 'd',
      name: 'n',
      provenance: { fileName: 'f', importedAt: 't', sha256: 'h' },
      counts: { reflection: 1, generation: 0, dropped: 2 },
    });
    expect((await s.getDataset('d'))?.jsonl).toBe('x');
  });

  it('reports a checkpoint folder with a missing file as an IntegrityError naming the file', async () => {
    const s = await fresh();
    await s.putCheckpoint(meta('a', 1), { safetensors: new Uint8Array([1]), json: '{}' });
    await unlink(join(s.root, 'checkpoints', 'a', 'checkpoint.safetensors'));
    await expect(s.getCheckpoint('a')).rejects.toMatchObject({
      name: 'IntegrityError',
      message: expect.stringContaining('checkpoint.safetensors is missing'),
    });
  });

  it('rejects ids that could escape the store folder', async () => {
    const s = await fresh();
    await expect(
      s.putCheckpoint(meta('../evil', 1), { safetensors: new Uint8Array(1), json: '' }),
    ).rejects.toMatchObject({ name: 'StorageError' });
  });

  it('recovers the previous checkpoint after a crash between the swap renames', async () => {
    const s = await fresh();
    await s.putCheckpoint(meta('run', 5), { safetensors: new Uint8Array([5]), json: '{}' });
    // Simulate the crash: the live folder was moved aside and the new one never arrived.
    await rename(join(s.root, 'checkpoints', 'run'), join(s.root, 'checkpoints', '.old-run-9999999-1'));
    const got = await s.getCheckpoint('run');
    expect(got?.meta.step).toBe(5);
    expect(await readdir(join(s.root, 'checkpoints'))).toEqual(['run']);
  });

  it('recovers the newest checkpoint by step and time, never by folder-name order', async () => {
    const s = await fresh();
    const ck = join(s.root, 'checkpoints');
    await s.putCheckpoint(meta('run', 59), { safetensors: new Uint8Array([59]), json: '{"step":59}' });
    await rename(join(ck, 'run'), join(ck, '.old-run-9999998-9'));
    await s.putCheckpoint(meta('run', 13), { safetensors: new Uint8Array([13]), json: '{"step":13}' });
    // Name order puts step 13's folder last ("9999999-1" > "9999998-9"); the old code restored it over step 59.
    await rename(join(ck, 'run'), join(ck, '.old-run-9999999-1'));
    const fresh2 = new FileStore(s.root);
    // listCheckpoints recovers by itself: no getCheckpoint needed first.
    expect((await fresh2.listCheckpoints()).map((m) => m.step)).toEqual([59]);
    expect((await fresh2.getCheckpoint('run'))?.meta.step).toBe(59);
    // Both leftovers are gone once the good state is installed (step 13 stays as the previous generation).
    expect((await readdir(ck)).sort()).toEqual(['.prev-run', 'run']);
  });

  it('finishes a complete write whose swap was interrupted and drops an incomplete one', async () => {
    const s = await fresh();
    const ck = join(s.root, 'checkpoints');
    await s.putCheckpoint(meta('run', 10), { safetensors: new Uint8Array([10]), json: '{}' });
    await s.putCheckpoint(meta('run', 20), { safetensors: new Uint8Array([20]), json: '{}' });
    // A complete write of step 30 that never got swapped in, and an incomplete one (no meta.json).
    await cp(join(ck, 'run'), join(ck, '.tmp-run-9999999-1-0'), { recursive: true });
    const m30 = JSON.parse(await readFile(join(ck, 'run', 'meta.json'), 'utf8'));
    await rm(join(ck, '.tmp-run-9999999-1-0'), { recursive: true });
    const other = new FileStore(join(s.root, 'staging'));
    await other.putCheckpoint(meta('run', 30), { safetensors: new Uint8Array([30]), json: '{}' });
    await rename(join(s.root, 'staging', 'checkpoints', 'run'), join(ck, '.tmp-run-9999999-1-0'));
    await cp(join(ck, 'run'), join(ck, '.tmp-run-9999999-2-0'), { recursive: true });
    await unlink(join(ck, '.tmp-run-9999999-2-0', 'meta.json'));
    expect(m30.step).toBe(20);
    const got = await new FileStore(s.root).getCheckpoint('run');
    expect(got?.meta.step).toBe(30);
    expect(Array.from(got!.files.safetensors)).toEqual([30]);
    expect((await readdir(ck)).sort()).toEqual(['.prev-run', 'run']);
  });

  it('detects a changed byte in every file and offers the previous good checkpoint', async () => {
    for (const file of ['checkpoint.safetensors', 'checkpoint.json', 'meta.json']) {
      const s = await fresh();
      const ck = join(s.root, 'checkpoints');
      await s.putCheckpoint(meta('run', 5), { safetensors: new Uint8Array([5, 5, 5]), json: '{"lr":0.001}' });
      await s.putCheckpoint(meta('run', 6), { safetensors: new Uint8Array([6, 6, 6]), json: '{"lr":0.002}' });
      const path = join(ck, 'run', file);
      const bytes = await readFile(path);
      const at = file === 'meta.json' ? bytes.indexOf('run run') + 4 : bytes.length - 2;
      bytes[at] ^= 0x01;
      await writeFile(path, bytes);
      const err = await s.getCheckpoint('run').then(
        () => null,
        (e: Error) => e,
      );
      expect(err?.name, file).toBe('IntegrityError');
      expect(err?.message, file).toContain(file === 'meta.json' ? 'meta.json' : `${file} does not match its sha-256`);
      expect(err?.message, file).toMatch(
        /previous good checkpoint of this run \(step 5, saved .*\) now stands under id "run"/,
      );
      const again = await s.getCheckpoint('run');
      expect(again?.meta.step).toBe(5);
      expect(Array.from(again!.files.safetensors)).toEqual([5, 5, 5]);
      expect((await readdir(ck)).some((n) => n.startsWith('.damaged-run-'))).toBe(true);
    }
  });

  it('names the file when meta.json is not JSON, and says when no earlier copy exists', async () => {
    const s = await fresh();
    await s.putCheckpoint(meta('a', 1), { safetensors: new Uint8Array([1]), json: '{}' });
    await writeFile(join(s.root, 'checkpoints', 'a', 'meta.json'), '{"id": "a", ');
    await expect(s.getCheckpoint('a')).rejects.toMatchObject({
      name: 'IntegrityError',
      message: expect.stringMatching(/a[/\\]meta\.json is not valid JSON.*no earlier good copy/),
    });
  });

  it('a damaged seal never passes for a record written before digests existed', async () => {
    const s = await fresh();
    await s.putCheckpoint(meta('a', 1), { safetensors: new Uint8Array([1]), json: '{}' });
    await s.putCheckpoint(meta('a', 2), { safetensors: new Uint8Array([2]), json: '{}' });
    const path = join(s.root, 'checkpoints', 'a', 'meta.json');
    await writeFile(path, (await readFile(path, 'utf8')).replace('"digest"', '"digesu"'));
    await expect(s.getCheckpoint('a')).rejects.toMatchObject({
      name: 'IntegrityError',
      message: expect.stringContaining('digest field is missing or altered'),
    });
    await s.putDataset(dataset());
    const ds = join(s.root, 'datasets', 'd.json');
    await writeFile(ds, (await readFile(ds, 'utf8')).replace('"files"', '"filez"'));
    await expect(s.getDataset('d')).rejects.toMatchObject({ name: 'IntegrityError' });
  });

  it('removes dataset files left half-written by a dead writer', async () => {
    const s = await fresh();
    await s.putDataset(dataset());
    await writeFile(join(s.root, 'datasets', 'e.json.tmp-9999999-1'), '{"id":"e","na');
    expect((await s.listDatasets()).map((d) => d.id)).toEqual(['d']);
    expect(await readdir(join(s.root, 'datasets'))).toEqual(['d.json']);
  });

  it('detects a changed byte in a stored dataset', async () => {
    const s = await fresh();
    await s.putDataset(dataset('{"x":"hello"}'));
    const path = join(s.root, 'datasets', 'd.json');
    await writeFile(path, (await readFile(path, 'utf8')).replace('hello', 'hellp'));
    await expect(s.getDataset('d')).rejects.toMatchObject({
      name: 'IntegrityError',
      message: expect.stringContaining('d.json is damaged'),
    });
  });
});
