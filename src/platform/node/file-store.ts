/**
 * File-system implementation of TrainStore for the CLI and tests. Layout under `root`:
 *   datasets/<id>.json                     one StoredDataset
 *   checkpoints/<id>/meta.json             CheckpointMeta
 *   checkpoints/<id>/checkpoint.json       everything but tensors
 *   checkpoints/<id>/checkpoint.safetensors weights + optimizer moments
 * A checkpoint is written into a temporary folder first and swapped in with renames, so a crash
 * mid-write leaves the previous checkpoint (or its `.old-` copy, recovered on read) intact.
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CheckpointFiles, CheckpointMeta, DatasetMeta, StoredDataset, TrainStore } from '../../api/store.ts';
import { StorageError } from '../../core/errors.ts';

const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

function checkId(id: string): string {
  if (!SAFE_ID.test(id)) throw new StorageError(`invalid id "${id}": expected letters, digits, ".", "_" or "-" (at most 128)`);
  return id;
}

function fsError(what: string, e: unknown, kept: string): StorageError {
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'ENOSPC' || err?.code === 'EDQUOT') {
    return new StorageError(`disk is full (${err.code}) while ${what}; ${kept}. Free some space and try again.`);
  }
  return new StorageError(`file system refused ${what}: ${err?.code ?? err?.name ?? 'Error'}: ${err?.message ?? String(e)}; ${kept}.`);
}

async function exists(path: string): Promise<boolean> {
  try {
    await readdir(path);
    return true;
  } catch {
    return false;
  }
}

export class FileStore implements TrainStore {
  private readonly datasetsDir: string;
  private readonly checkpointsDir: string;

  constructor(readonly root: string) {
    this.datasetsDir = join(root, 'datasets');
    this.checkpointsDir = join(root, 'checkpoints');
  }

  async listDatasets(): Promise<DatasetMeta[]> {
    const names = await readdir(this.datasetsDir).catch(() => [] as string[]);
    const out: DatasetMeta[] = [];
    for (const n of names.filter((x) => x.endsWith('.json'))) {
      const { jsonl: _jsonl, ...meta } = JSON.parse(await readFile(join(this.datasetsDir, n), 'utf8')) as StoredDataset;
      out.push(meta);
    }
    return out.sort((a, b) => a.provenance.importedAt.localeCompare(b.provenance.importedAt));
  }

  async getDataset(id: string): Promise<StoredDataset | undefined> {
    try {
      return JSON.parse(await readFile(join(this.datasetsDir, `${checkId(id)}.json`), 'utf8')) as StoredDataset;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  async putDataset(dataset: StoredDataset): Promise<void> {
    const target = join(this.datasetsDir, `${checkId(dataset.id)}.json`);
    const tmp = `${target}.tmp-${process.pid}-${Date.now()}`;
    try {
      await mkdir(this.datasetsDir, { recursive: true });
      await writeFile(tmp, JSON.stringify(dataset));
      await rename(tmp, target); // atomic on one file system
    } catch (e) {
      await rm(tmp, { force: true });
      throw fsError(`saving dataset "${dataset.name}"`, e, 'no dataset was added');
    }
  }

  async deleteDataset(id: string): Promise<void> {
    await rm(join(this.datasetsDir, `${checkId(id)}.json`), { force: true });
  }

  async listCheckpoints(): Promise<CheckpointMeta[]> {
    const names = await readdir(this.checkpointsDir).catch(() => [] as string[]);
    const out: CheckpointMeta[] = [];
    for (const n of names) {
      if (!SAFE_ID.test(n) || n.startsWith('.')) continue;
      const m = await this.readMeta(n);
      if (m) out.push(m);
    }
    return out.sort((a, b) => b.savedAt.localeCompare(a.savedAt));
  }

  async getCheckpoint(id: string): Promise<{ meta: CheckpointMeta; files: CheckpointFiles } | undefined> {
    const dir = await this.liveDir(checkId(id));
    if (!dir) return undefined;
    let metaText: string, json: string, st: Buffer;
    try {
      [metaText, json, st] = await Promise.all([
        readFile(join(dir, 'meta.json'), 'utf8'),
        readFile(join(dir, 'checkpoint.json'), 'utf8'),
        readFile(join(dir, 'checkpoint.safetensors')),
      ]);
    } catch (e) {
      throw fsError(`reading checkpoint "${id}" (expected meta.json, checkpoint.json and checkpoint.safetensors in ${dir})`, e, 'nothing was changed');
    }
    return { meta: JSON.parse(metaText) as CheckpointMeta, files: { json, safetensors: new Uint8Array(st.buffer, st.byteOffset, st.byteLength) } };
  }

  async putCheckpoint(meta: CheckpointMeta, files: CheckpointFiles): Promise<void> {
    const id = checkId(meta.id);
    const nonce = `${process.pid}-${Date.now()}`;
    const tmp = join(this.checkpointsDir, `.tmp-${id}-${nonce}`);
    const target = join(this.checkpointsDir, id);
    const old = join(this.checkpointsDir, `.old-${id}-${nonce}`);
    const what = `saving checkpoint "${meta.name}"`;
    try {
      await mkdir(tmp, { recursive: true });
      await writeFile(join(tmp, 'checkpoint.safetensors'), files.safetensors);
      await writeFile(join(tmp, 'checkpoint.json'), files.json);
      await writeFile(join(tmp, 'meta.json'), JSON.stringify(meta, null, 2));
    } catch (e) {
      await rm(tmp, { recursive: true, force: true });
      throw fsError(what, e, 'the previous checkpoint was kept');
    }
    // Swap: target → old, tmp → target, drop old. Between the two renames only `.old-` exists,
    // which liveDir() recovers.
    const hadPrevious = await exists(target);
    try {
      if (hadPrevious) await rename(target, old);
      await rename(tmp, target);
    } catch (e) {
      if (hadPrevious && !(await exists(target)) && (await exists(old))) await rename(old, target);
      await rm(tmp, { recursive: true, force: true });
      throw fsError(what, e, 'the previous checkpoint was kept');
    }
    if (hadPrevious) await rm(old, { recursive: true, force: true });
  }

  async renameCheckpoint(id: string, name: string): Promise<void> {
    const dir = await this.liveDir(checkId(id));
    const meta = dir ? await this.readMeta(id) : undefined;
    if (!dir || !meta) throw new StorageError(`no checkpoint with id "${id}" to rename`);
    const tmp = join(dir, `meta.json.tmp-${process.pid}`);
    await writeFile(tmp, JSON.stringify({ ...meta, name }, null, 2));
    await rename(tmp, join(dir, 'meta.json'));
  }

  async deleteCheckpoint(id: string): Promise<void> {
    await rm(join(this.checkpointsDir, checkId(id)), { recursive: true, force: true });
  }

  private async readMeta(id: string): Promise<CheckpointMeta | undefined> {
    const dir = await this.liveDir(id);
    if (!dir) return undefined;
    try {
      return JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8')) as CheckpointMeta;
    } catch {
      return undefined;
    }
  }

  /** The checkpoint's folder, recovering a `.old-` copy left by a crash between the swap's renames. */
  private async liveDir(id: string): Promise<string | undefined> {
    const target = join(this.checkpointsDir, id);
    if (await exists(target)) return target;
    const names = await readdir(this.checkpointsDir).catch(() => [] as string[]);
    const old = names.filter((n) => n.startsWith(`.old-${id}-`)).sort().pop();
    if (!old) return undefined;
    await rename(join(this.checkpointsDir, old), target);
    return target;
  }
}
