/**
 * Checkpoint folders on disk and their recovery after an interrupted write (FileStore). Names:
 *   <id>                          the live copy
 *   .prev-<id>                    the previous generation
 *   .tmp-<id>-<pid>-<time>-<n>    a write in progress (complete once its meta.json exists)
 *   .old-<id>-<pid>-<time>        set aside during a swap (also the name older versions used)
 *   .damaged-<id>-<time>          a copy that failed verification, kept for inspection
 * Recovery verifies every candidate of an id (every sha-256), installs the newest complete,
 * verified one by (step, savedAt) — never by name — as <id>, the next as .prev-<id>, and removes
 * the leftovers of dead processes. A live process's in-flight folder is never touched.
 */
import { readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { CheckpointFiles, CheckpointMeta } from '../../api/store.ts';
import { StorageError } from '../../core/errors.ts';
import { checkFiles, checkSeal, isLegacy, type Sealed } from '../../core/integrity.ts';

const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const TMP = /^\.tmp-(.+)-(\d+)-(\d+)-(\d+)$/;
const OLD = /^\.old-(.+)-(\d+)-(\d+)$/;
const PREV = /^\.prev-(.+)$/;

export type FolderCheck =
  | { state: 'absent' }
  | { state: 'damaged'; problem: string }
  | { state: 'ok'; meta: Sealed<CheckpointMeta>; files: CheckpointFiles; verified: boolean };

async function readOptional(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StorageError(`file system refused reading ${path}: ${(e as Error).message}`);
  }
}

/** meta.json of a folder, parsed; throws a message naming the file when it is missing or broken. */
export async function readFolder(dir: string): Promise<{ meta: Sealed<CheckpointMeta> }> {
  const file = join(dir, 'meta.json');
  const raw = await readOptional(file);
  if (raw === undefined) throw new Error(`${file} is missing (the write was interrupted before it completed)`);
  let meta: unknown;
  try {
    meta = JSON.parse(raw.toString('utf8'));
  } catch (e) {
    throw new Error(`${file} is not valid JSON (${(e as Error).message})`, { cause: e });
  }
  const m = meta as Partial<CheckpointMeta> | null;
  if (
    !m ||
    typeof m !== 'object' ||
    typeof m.id !== 'string' ||
    typeof m.step !== 'number' ||
    typeof m.savedAt !== 'string'
  ) {
    throw new Error(`${file} is not checkpoint metadata (expected id, step and savedAt)`);
  }
  return { meta: meta as Sealed<CheckpointMeta> };
}

/** Reads and verifies a checkpoint folder: meta.json's own digest, then every file's sha-256. */
export async function verifyFolder(dir: string): Promise<FolderCheck> {
  if (!(await isDir(dir))) return { state: 'absent' };
  let meta: Sealed<CheckpointMeta>;
  try {
    meta = (await readFolder(dir)).meta;
  } catch (e) {
    return { state: 'damaged', problem: `checkpoint in ${dir} is damaged: ${(e as Error).message}` };
  }
  const what = `checkpoint "${meta.name ?? meta.id}" in ${dir}`;
  const [json, st] = await Promise.all([
    readOptional(join(dir, 'checkpoint.json')),
    readOptional(join(dir, 'checkpoint.safetensors')),
  ]);
  try {
    if (!isLegacy(meta)) {
      await checkSeal(meta, `${what}: meta.json`);
      await checkFiles(
        meta,
        { ...(json ? { 'checkpoint.json': json } : {}), ...(st ? { 'checkpoint.safetensors': st } : {}) },
        what,
      );
    } else if (!json || !st) {
      // Written before digests existed: complete when both files are there.
      return {
        state: 'damaged',
        problem: `${what} is damaged: ${!json ? 'checkpoint.json' : 'checkpoint.safetensors'} is missing`,
      };
    }
  } catch (e) {
    return { state: 'damaged', problem: (e as Error).message };
  }
  return {
    state: 'ok',
    meta,
    files: { json: json!.toString('utf8'), safetensors: new Uint8Array(st!.buffer, st!.byteOffset, st!.byteLength) },
    verified: !isLegacy(meta),
  };
}

async function isDir(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

/** Whether a process with this id exists (another user's counts as alive). */
export function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let seq = 0;

export class CheckpointDirs {
  /** This process's writes in progress (their folders must not be recovered from under them). */
  readonly inflight = new Set<string>();
  /** Ids whose leftovers held nothing good: left alone (not deleted), not re-verified on every call. */
  private readonly hopeless = new Set<string>();

  constructor(readonly root: string) {}

  live(id: string): string {
    return join(this.root, id);
  }
  prev(id: string): string {
    return join(this.root, `.prev-${id}`);
  }
  damaged(id: string): string {
    return join(this.root, `.damaged-${id}-${Date.now()}`);
  }
  newTmp(id: string): string {
    return join(this.root, `.tmp-${id}-${process.pid}-${Date.now()}-${seq++}`);
  }
  private stage(id: string): string {
    return join(this.root, `.old-${id}-${process.pid}-${Date.now()}${seq++}`);
  }

  async exists(path: string): Promise<boolean> {
    return isDir(path);
  }

  async liveIds(): Promise<string[]> {
    const names = await readdir(this.root).catch(() => [] as string[]);
    const out: string[] = [];
    for (const n of names) if (SAFE_ID.test(n) && (await isDir(join(this.root, n)))) out.push(n);
    return out;
  }

  /** Leftovers by id: folders of dead writers, and .prev- folders without a live copy. */
  private async leftovers(): Promise<Map<string, string[]>> {
    const names = await readdir(this.root).catch(() => [] as string[]);
    const live = new Set(names.filter((n) => SAFE_ID.test(n)));
    const out = new Map<string, string[]>();
    const add = (id: string, n: string) => out.set(id, [...(out.get(id) ?? []), n]);
    for (const n of names) {
      const t = TMP.exec(n) ?? OLD.exec(n);
      if (t) {
        const pid = Number(t[2]);
        const mine = pid === process.pid;
        if (mine ? !this.inflight.has(join(this.root, n)) : !isAlive(pid)) add(t[1]!, n);
        continue;
      }
      const p = PREV.exec(n);
      if (p && !live.has(p[1]!)) add(p[1]!, n);
    }
    for (const id of this.hopeless) out.delete(id);
    return out;
  }

  async needsRecovery(): Promise<boolean> {
    return (await this.leftovers()).size > 0;
  }

  async recoverAll(): Promise<void> {
    for (const [id, names] of await this.leftovers())
      await this.recoverId(
        id,
        names.map((n) => join(this.root, n)),
      );
  }

  private async recoverId(id: string, leftovers: string[]): Promise<void> {
    const live = this.live(id);
    const prev = this.prev(id);
    const candidates = [...new Set([live, prev, ...leftovers])];
    const checked: { dir: string; step: number; savedAt: string; verified: boolean }[] = [];
    const bad: string[] = [];
    for (const dir of candidates) {
      const c = await verifyFolder(dir);
      if (c.state === 'ok') checked.push({ dir, step: c.meta.step, savedAt: c.meta.savedAt, verified: c.verified });
      else if (c.state === 'damaged') bad.push(dir);
    }
    // Newest complete, verified copy first: by step, then by time; unsealed (older format) last.
    checked.sort(
      (a, b) => Number(b.verified) - Number(a.verified) || b.step - a.step || b.savedAt.localeCompare(a.savedAt),
    );
    const [best, second] = checked;
    if (!best) {
      this.hopeless.add(id); // nothing good to confirm: leave every folder as it is
      return;
    }
    const keep = new Set([best.dir, second?.dir]);
    const moveBest = best.dir !== live;
    const moveSecond = second !== undefined && second.dir !== prev;
    const stagedBest = moveBest ? this.stage(id) : live;
    const stagedSecond = moveSecond ? this.stage(id) : prev;
    if (moveBest) await rename(best.dir, stagedBest);
    if (moveSecond) await rename(second.dir, stagedSecond);
    for (const dir of [...checked.map((c) => c.dir), ...bad]) {
      if (keep.has(dir)) continue;
      if (dir === live && bad.includes(dir)) await rename(dir, this.damaged(id)).catch(() => {});
      else await rm(dir, { recursive: true, force: true });
    }
    if (moveSecond) {
      await rm(prev, { recursive: true, force: true });
      await rename(stagedSecond, prev);
    }
    if (moveBest) {
      if (await isDir(live)) await rm(live, { recursive: true, force: true });
      await rename(stagedBest, live);
    }
  }
}
