/**
 * File-system implementation of TrainStore for the CLI and tests. Layout under `root`:
 *   datasets/<id>.json                       one StoredDataset, sealed (sha-256 of its content)
 *   checkpoints/<id>/checkpoint.safetensors  weights + optimizer moments
 *   checkpoints/<id>/checkpoint.json         everything but tensors
 *   checkpoints/<id>/meta.json               CheckpointMeta + sha-256 of both files + its own digest;
 *                                            written LAST, so its presence marks a complete folder
 *   checkpoints/.prev-<id>/                  the previous generation, offered when <id> is damaged
 * A checkpoint is written into `.tmp-<id>-<pid>-<time>/` and swapped in with renames. After a
 * crash, recovery (checkpoint-recovery.ts) installs the newest complete, verified copy by step and
 * time, and removes the leftovers. Every load checks every digest (docs/reliability.md).
 */
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { CheckpointFiles, CheckpointMeta, DatasetMeta, StoredDataset, TrainStore } from '../../api/store.ts';
import { IntegrityError, StorageError } from '../../core/errors.ts';
import { checkSeal, isLegacy, seal, unseal, type Sealed } from '../../core/integrity.ts';
import { Mutex } from '../../core/lock.ts';
import { CheckpointDirs, isAlive, readFolder, verifyFolder } from './checkpoint-recovery.ts';
import { beginWrite, faultPoint } from './fault-points.ts';

const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

function checkId(id: string): string {
  if (!SAFE_ID.test(id))
    throw new StorageError(`invalid id "${id}": expected letters, digits, ".", "_" or "-" (at most 128)`);
  return id;
}

export function fsError(what: string, e: unknown, kept: string): StorageError {
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'ENOSPC' || err?.code === 'EDQUOT') {
    return new StorageError(`disk is full (${err.code}) while ${what}; ${kept}. Free some space and try again.`);
  }
  return new StorageError(
    `file system refused ${what}: ${err?.code ?? err?.name ?? 'Error'}: ${err?.message ?? String(e)}; ${kept}.`,
  );
}

/** Writes and flushes one file (so a power cut after the rename cannot leave it empty). */
export async function writeDurable(path: string, data: Uint8Array | string, onHalf?: () => void): Promise<void> {
  const fh = await open(path, 'w');
  try {
    if (onHalf && typeof data !== 'string') {
      const half = data.byteLength >> 1;
      await fh.write(data.subarray(0, half));
      await fh.sync();
      onHalf();
      await fh.write(data.subarray(half));
    } else await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export class FileStore implements TrainStore {
  private readonly datasetsDir: string;
  private readonly checkpointsDir: string;
  private readonly dirs: CheckpointDirs;
  /** One structural change (swap, recovery, quarantine) at a time within this process. */
  private readonly lock = new Mutex();

  constructor(readonly root: string) {
    this.datasetsDir = join(root, 'datasets');
    this.checkpointsDir = join(root, 'checkpoints');
    this.dirs = new CheckpointDirs(this.checkpointsDir);
  }

  async listDatasets(): Promise<DatasetMeta[]> {
    const names = await readdir(this.datasetsDir).catch(() => [] as string[]);
    // A dataset write interrupted before its rename leaves `<id>.json.tmp-<pid>-<time>`: drop those of dead writers.
    for (const n of names) {
      const m = /\.json\.tmp-(\d+)-\d+$/.exec(n);
      if (m && !isAlive(Number(m[1]))) await rm(join(this.datasetsDir, n), { force: true });
    }
    const out: DatasetMeta[] = [];
    for (const n of names.filter((x) => x.endsWith('.json'))) {
      const ds = await this.readDataset(n.slice(0, -'.json'.length)).catch(() => undefined);
      if (!ds) continue;
      const { jsonl: _jsonl, ...meta } = ds;
      out.push(meta);
    }
    return out.sort((a, b) => a.provenance.importedAt.localeCompare(b.provenance.importedAt));
  }

  async getDataset(id: string): Promise<StoredDataset | undefined> {
    return this.readDataset(checkId(id));
  }

  private async readDataset(id: string): Promise<StoredDataset | undefined> {
    const file = join(this.datasetsDir, `${id}.json`);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw fsError(`reading dataset ${id}`, e, 'nothing was changed');
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new IntegrityError(
        `dataset file ${file} is damaged: not valid JSON (${(e as Error).message}); import the JSONL file again`,
      );
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new IntegrityError(`dataset file ${file} is damaged: not a dataset record; import the JSONL file again`);
    if (!isLegacy(value))
      await checkSeal(value as Sealed<object>, `dataset file ${file}`).catch((e: Error) => {
        throw new IntegrityError(`${e.message}; import the JSONL file again`);
      });
    return unseal(value as StoredDataset) as StoredDataset;
  }

  async putDataset(dataset: StoredDataset): Promise<void> {
    const target = join(this.datasetsDir, `${checkId(dataset.id)}.json`);
    const tmp = `${target}.tmp-${process.pid}-${Date.now()}`;
    try {
      await mkdir(this.datasetsDir, { recursive: true });
      await writeDurable(tmp, JSON.stringify(await seal(dataset)));
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
    await this.recover();
    const out: CheckpointMeta[] = [];
    for (const id of await this.dirs.liveIds()) {
      // A damaged meta.json is left out of the list; loading that id names the damage.
      const m = await readFolder(this.dirs.live(id)).catch(() => undefined);
      if (
        m?.meta &&
        (isLegacy(m.meta) ||
          (await checkSeal(m.meta, 'meta').then(
            () => true,
            () => false,
          )))
      )
        out.push(unseal(m.meta) as CheckpointMeta);
    }
    return out.sort((a, b) => b.savedAt.localeCompare(a.savedAt));
  }

  async getCheckpoint(id: string): Promise<{ meta: CheckpointMeta; files: CheckpointFiles } | undefined> {
    checkId(id);
    await this.recover();
    const dir = this.dirs.live(id);
    const v = await verifyFolder(dir);
    if (v.state === 'absent') return undefined;
    if (v.state === 'ok') return { meta: unseal(v.meta) as CheckpointMeta, files: v.files };
    throw await this.lock.run(() => this.offerPrevious(id, v.problem));
  }

  /**
   * The live copy is damaged: set it aside, install the previous good generation under the same id
   * (if it verifies) and return the error that says both.
   */
  private async offerPrevious(id: string, problem: string): Promise<IntegrityError> {
    const prev = await verifyFolder(this.dirs.prev(id));
    const aside = this.dirs.damaged(id);
    await rename(this.dirs.live(id), aside).catch(() => {});
    if (prev.state === 'ok') {
      await rename(this.dirs.prev(id), this.dirs.live(id));
      const m = prev.meta;
      return new IntegrityError(
        `${problem}. The damaged copy was set aside in ${aside}; the previous good checkpoint of this run ` +
          `(step ${m.step}, saved ${m.savedAt}) now stands under id "${id}": load or resume it again.`,
      );
    }
    return new IntegrityError(
      `${problem}. The damaged copy was set aside in ${aside}; there is no earlier good copy of this checkpoint (choose another checkpoint or start again).`,
    );
  }

  async putCheckpoint(meta: CheckpointMeta, files: CheckpointFiles): Promise<void> {
    const id = checkId(meta.id);
    const what = `saving checkpoint "${meta.name}"`;
    await mkdir(this.checkpointsDir, { recursive: true }).catch((e) => {
      throw fsError(what, e, 'the previous checkpoint was kept');
    });
    await this.recover();
    const sealed = await seal(meta, { 'checkpoint.json': files.json, 'checkpoint.safetensors': files.safetensors });
    const tmp = this.dirs.newTmp(id);
    this.dirs.inflight.add(tmp);
    beginWrite();
    try {
      try {
        await mkdir(tmp, { recursive: true });
        faultPoint('tmp-created');
        await writeDurable(join(tmp, 'checkpoint.safetensors'), files.safetensors, () =>
          faultPoint('safetensors-partial'),
        );
        faultPoint('safetensors-written');
        await writeDurable(join(tmp, 'checkpoint.json'), files.json);
        faultPoint('json-written');
        await writeDurable(join(tmp, 'meta.json'), JSON.stringify(sealed)); // last: marks the folder complete
        faultPoint('meta-written');
      } catch (e) {
        await rm(tmp, { recursive: true, force: true });
        throw fsError(what, e, 'the previous checkpoint was kept');
      }
      // Rotate: live → .prev (the older .prev goes), tmp → live. A crash between any two steps
      // leaves complete, sealed folders that recovery ranks by step and time.
      await this.lock.run(async () => {
        try {
          if (await this.dirs.exists(this.dirs.live(id))) {
            await rm(this.dirs.prev(id), { recursive: true, force: true });
            faultPoint('prev-removed');
            await rename(this.dirs.live(id), this.dirs.prev(id));
            faultPoint('live-moved');
          }
          await rename(tmp, this.dirs.live(id));
          faultPoint('swapped');
        } catch (e) {
          throw fsError(what, e, 'the previous checkpoint was kept (recovered on the next read)');
        }
      });
    } finally {
      this.dirs.inflight.delete(tmp);
    }
  }

  async renameCheckpoint(id: string, name: string): Promise<void> {
    checkId(id);
    await this.recover();
    const dir = this.dirs.live(id);
    const m = await readFolder(dir).catch(() => undefined);
    if (!m?.meta) throw new StorageError(`no checkpoint with id "${id}" to rename`);
    if (!isLegacy(m.meta)) await checkSeal(m.meta, `${join(dir, 'meta.json')}`);
    const current: object = m.meta;
    // Sealed metadata is re-sealed (file digests kept); metadata from before digests stays as it was.
    const next = !isLegacy(current)
      ? await seal({ ...(current as Sealed<CheckpointMeta>), name })
      : { ...current, name };
    const tmp = join(dir, `meta.json.tmp-${process.pid}`);
    await writeDurable(tmp, JSON.stringify(next));
    await rename(tmp, join(dir, 'meta.json'));
  }

  async deleteCheckpoint(id: string): Promise<void> {
    checkId(id);
    await this.lock.run(async () => {
      await rm(this.dirs.live(id), { recursive: true, force: true });
      await rm(this.dirs.prev(id), { recursive: true, force: true });
    });
  }

  /** Completes any interrupted write (cheap when there is none: one readdir). */
  private async recover(): Promise<void> {
    if (!(await this.dirs.needsRecovery())) return;
    await this.lock.run(() => this.dirs.recoverAll());
  }
}
