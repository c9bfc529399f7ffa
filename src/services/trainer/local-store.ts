/**
 * The storage half of TrainerApi on a TrainStore directly, with no model and no tfjs: the Train
 * panel lists, renames, deletes and exports checkpoints (and lists/deletes datasets) through this
 * on the main thread, so opening the page does not start the trainer worker. The service uses the
 * same functions, so both paths name and validate things alike.
 */
import type { CheckpointFiles, CheckpointMeta, DatasetMeta, TrainStore } from '../../api/store.ts';
import type { TrainerApi } from '../../api/trainer.ts';
import { CheckpointError, UsageError } from '../../core/errors.ts';

export type StorageOps = Pick<
  TrainerApi,
  'listDatasets' | 'deleteDataset' | 'listCheckpoints' | 'renameCheckpoint' | 'deleteCheckpoint' | 'exportCheckpoint'
>;

/** File name stem of an exported checkpoint: `<name>-step<N>`, safe on every file system. */
export function exportBaseName(meta: CheckpointMeta): string {
  return `${meta.name}-step${meta.step}`.replace(/[^A-Za-z0-9._-]+/g, '_');
}

export function checkName(name: string): string {
  const n = name.trim();
  if (!n) throw new UsageError('a checkpoint name cannot be empty');
  return n;
}

/** What the store lists for a checkpoint's files, saved now: its step, plan and last logged loss. */
export function checkpointMeta(
  id: string,
  name: string,
  preset: string,
  at: { step: number; totalSteps: number; metrics: readonly { loss: number }[] },
  files: CheckpointFiles,
): CheckpointMeta {
  return {
    id,
    name,
    savedAt: new Date().toISOString(),
    step: at.step,
    totalSteps: at.totalSteps,
    preset,
    loss: at.metrics.at(-1)?.loss ?? null,
    bytes: files.safetensors.byteLength + files.json.length,
  };
}

export async function exportFromStore(store: TrainStore, id: string): Promise<CheckpointFiles & { baseName: string }> {
  const got = await store.getCheckpoint(id);
  if (!got) throw new CheckpointError(`no checkpoint "${id}" in storage`);
  return { ...got.files, baseName: exportBaseName(got.meta) };
}

export function storageOps(store: () => Promise<TrainStore>): StorageOps {
  return {
    listDatasets: async (): Promise<DatasetMeta[]> => (await store()).listDatasets(),
    deleteDataset: async (id) => (await store()).deleteDataset(id),
    listCheckpoints: async () => (await store()).listCheckpoints(),
    renameCheckpoint: async (id, name) => (await store()).renameCheckpoint(id, checkName(name)),
    deleteCheckpoint: async (id) => (await store()).deleteCheckpoint(id),
    exportCheckpoint: async (id) => exportFromStore(await store(), id),
  };
}
