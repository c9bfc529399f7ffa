/**
 * The base snapshot of evaluation hosts in Node: a Pyodide memory snapshot (loadPyodide's `_makeSnapshot` /
 * `_loadSnapshot`) of an interpreter that has loaded the runner, warmed up and imported the modules checks use.
 * A host started from it skips Python's initialisation and those imports (~0.5 s instead of 2–7 s on 2 busy cores).
 *
 * Kept on disk next to the installed packages (`node_modules/.cache/reflectioncoder-web/`, or
 * $RCW_PYTHON_SNAPSHOT_DIR; `RCW_PYTHON_SNAPSHOT=off` turns it off) under a key of everything that shapes its
 * content: the Pyodide version and binary, the runner source and host-core.mjs. When it is missing, the first
 * pristine host of the process makes it while starting normally; hosts started meanwhile wait for it and then load
 * from it (on 2 cores, one full start plus snapshot loads beats parallel full starts). A damaged or stale file costs
 * nothing but time: the host falls back to a normal start (host-core.mjs).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** How a new pristine host should start: from the file, by making it, or normally (snapshots off). */
export type BaseSnapshotPlan = { kind: 'load'; file: string } | { kind: 'make'; file: string } | { kind: 'plain' };

/** One build per file and process: hosts that start while it runs wait for its outcome. */
const builds = new Map<string, Promise<boolean>>();
const finishers = new Map<string, (ok: boolean) => void>();

/** The cache file for this runtime + runner, or null when snapshots are turned off. */
export function baseSnapshotFile(pyodideDir: string, runner: string, hostCore: string): string | null {
  if ((process.env.RCW_PYTHON_SNAPSHOT ?? '').toLowerCase() === 'off') return null;
  const dir = process.env.RCW_PYTHON_SNAPSHOT_DIR ?? path.join(pyodideDir, '..', '.cache', 'reflectioncoder-web');
  const hash = createHash('sha256');
  hash.update(readFileSync(path.join(pyodideDir, 'package.json')));
  const wasm = statSync(path.join(pyodideDir, 'pyodide.asm.wasm'));
  hash.update(`\0${wasm.size}\0${wasm.mtimeMs}\0`);
  hash.update(runner);
  hash.update('\0');
  hash.update(readFileSync(hostCore));
  return path.join(path.resolve(dir), `pyodide-eval-${hash.digest('hex').slice(0, 24)}.snapshot`);
}

/**
 * Decides how the next host starts. Resolves at once, except while another host of this process is making the
 * snapshot: then it waits for that (and loads the result, or starts plainly when the build failed).
 */
export async function planBaseSnapshot(file: string | null): Promise<BaseSnapshotPlan> {
  if (file === null) return { kind: 'plain' };
  if (existsSync(file)) return { kind: 'load', file };
  const running = builds.get(file);
  if (running) return (await running) && existsSync(file) ? { kind: 'load', file } : { kind: 'plain' };
  builds.set(
    file,
    new Promise<boolean>((resolve) => {
      finishers.set(file, resolve);
    }),
  );
  return { kind: 'make', file };
}

/** The maker's outcome: writes the bytes atomically (a reader never sees half a file) and releases the waiters. */
export function finishBaseSnapshot(file: string, bytes: Uint8Array | null): void {
  let ok = false;
  if (bytes && bytes.length > 0) {
    try {
      mkdirSync(path.dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, bytes);
      renameSync(tmp, file);
      ok = true;
    } catch {
      ok = false; // a read-only install: every host starts normally, as before
    }
  }
  const finish = finishers.get(file);
  finishers.delete(file);
  if (!ok) builds.delete(file); // the next host may try again
  finish?.(ok);
}
