/**
 * A production build for benchmarks, in its own temporary folder (so a benchmark never races a
 * `vite build` into dist/ from another terminal). RCW_DIST=<dir> reuses an existing build instead.
 * Built once per process, removed at exit.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
let built: string | null = null;

export function benchDist(): string {
  if (process.env.RCW_DIST) {
    const dir = path.resolve(process.env.RCW_DIST);
    if (!existsSync(path.join(dir, 'index.html'))) throw new Error(`RCW_DIST=${dir} has no index.html: build it first`);
    return dir;
  }
  if (built) return built;
  const dir = mkdtempSync(path.join(tmpdir(), 'rcw-bench-dist-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  for (const [cmd, args] of [
    [process.execPath, [path.join(root, 'scripts', 'copy-runtime.mjs')]],
    [
      process.execPath,
      [
        path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'),
        'build',
        '--outDir',
        dir,
        '--emptyOutDir',
        '--logLevel',
        'warn',
      ],
    ],
  ] as const) {
    const r = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
    if (r.status !== 0) throw new Error(`${path.basename(args[0])} failed with exit code ${r.status}`);
  }
  built = dir;
  process.env.RCW_DIST = dir; // the browser harness serves this build
  return dir;
}
