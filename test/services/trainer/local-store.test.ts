import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { IdbStore } from '../../../src/platform/browser/store.ts';
import { checkpointMeta, exportBaseName, storageOps } from '../../../src/services/trainer/local-store.ts';

describe('storage ops without a worker', () => {
  it('lists, renames (trimmed, never empty), exports and deletes checkpoints on the store', async () => {
    const store = await IdbStore.open({ name: `local-ops-${process.pid}` });
    const ops = storageOps(async () => store);
    const meta = {
      id: 'run-1',
      name: 'tiny 2026/01/01 10:00',
      savedAt: '2026-01-01T10:00:00Z',
      step: 4,
      totalSteps: 8,
      preset: 'tiny',
      loss: 2,
      bytes: 3,
    };
    await store.putCheckpoint(meta, { safetensors: new Uint8Array([1, 2, 3]), json: '{"x":1}' });
    expect((await ops.listCheckpoints()).map((m) => m.id)).toEqual(['run-1']);
    await expect(ops.renameCheckpoint('run-1', '   ')).rejects.toMatchObject({ name: 'UsageError' });
    await ops.renameCheckpoint('run-1', '  my run  ');
    const exp = await ops.exportCheckpoint('run-1');
    expect(exp.baseName).toBe('my_run-step4');
    expect(Array.from(exp.safetensors)).toEqual([1, 2, 3]);
    expect(exportBaseName({ ...meta, name: '../../etc' })).toBe('.._.._etc-step4');
    await expect(ops.exportCheckpoint('nope')).rejects.toMatchObject({ name: 'CheckpointError' });
    await ops.deleteCheckpoint('run-1');
    expect(await ops.listCheckpoints()).toEqual([]);
    store.close();
  });

  it('describes a checkpoint by its step, plan, last logged loss and byte size', () => {
    const files = { safetensors: new Uint8Array(10), json: '{"a":1}' };
    const at = { step: 4, totalSteps: 8, metrics: [{ loss: 3 }, { loss: 2.5 }] };
    const meta = checkpointMeta('run-1', 'r', 'tiny', at, files);
    expect(meta).toMatchObject({
      id: 'run-1',
      name: 'r',
      step: 4,
      totalSteps: 8,
      preset: 'tiny',
      loss: 2.5,
      bytes: 17,
    });
    expect(Number.isNaN(Date.parse(meta.savedAt))).toBe(false);
    expect(checkpointMeta('x', 'x', 'tiny', { ...at, metrics: [] }, files).loss).toBeNull();
  });
});
