import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { HostOptions, PythonTransport } from '../python/transport.ts';
import { baseSnapshotFile, finishBaseSnapshot, planBaseSnapshot } from './python-snapshot.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const pythonDir = path.resolve(here, '../../services/python');
const hostDir = path.resolve(here, '../python');
const hostCore = path.join(hostDir, 'host-core.mjs');
const pristineJs = path.join(hostDir, 'pristine.mjs');

let runnerSource: string | null = null;
/** runner.py + evalcheck.py + glibc_pow.py, read from disk once (the browser bundles the same files with Vite's ?raw). */
export function nodeRunnerSource(): string {
  runnerSource ??=
    readFileSync(path.join(pythonDir, 'runner.py'), 'utf8') +
    '\n' +
    readFileSync(path.join(pythonDir, 'evalcheck.py'), 'utf8') +
    '\n' +
    readFileSync(path.join(pythonDir, 'glibc_pow.py'), 'utf8');
  return runnerSource;
}

/** Directory of the pyodide npm package (pyodide.mjs, pyodide.asm.wasm, python_stdlib.zip, ...). */
export function pyodideDir(): string {
  const require = createRequire(import.meta.url);
  return path.dirname(require.resolve('pyodide/package.json'));
}

/**
 * Starts the sandbox child: Node's permission model allows reading only the Pyodide runtime and the three
 * sandbox scripts, no writes, no child processes, no native addons, no code generation from strings; the
 * environment is empty (no secrets to leak). python-harden.mjs closes the network inside.
 */
export function spawnNodePythonTransport(options: HostOptions = { pristine: false }): PythonTransport {
  const runner = nodeRunnerSource();
  const dir = pyodideDir();
  const snapshotFile = options.pristine ? baseSnapshotFile(dir, runner, hostCore) : null;
  const readable = [
    ...(snapshotFile ? [snapshotFile] : []),
    `${dir}/*`,
    `${here}/python-sandbox.mjs`,
    `${here}/python-host.mjs`,
    `${here}/python-harden.mjs`,
    hostCore,
    pristineJs,
    path.join(hostDir, 'libm-tables.mjs'),
  ];
  const child = spawn(
    process.execPath,
    [
      '--experimental-permission',
      ...readable.map((p) => `--allow-fs-read=${p}`),
      '--allow-worker',
      '--disallow-code-generation-from-strings',
      '--no-warnings',
      '--max-old-space-size=1024',
      path.join(here, 'python-sandbox.mjs'),
    ],
    // 'advanced': structured clone over the channel, so a made base snapshot arrives as bytes.
    { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: {}, cwd: dir, serialization: 'advanced' },
  );
  // Keep only the tail of what the child prints (a fatal Pyodide error prints megabytes).
  let tail = '';
  const keep = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exitCb: ((reason: string) => void) | null = null;
  let exited = false;
  child.on('exit', (code, signal) => {
    exited = true;
    exitCb?.(`exit ${signal ?? code}${tail ? `: ${tail.trim().split('\n').slice(-3).join(' | ').slice(0, 500)}` : ''}`);
  });
  child.on('error', (err) => {
    if (!exited) {
      exited = true;
      exitCb?.(`spawn failed: ${err.message}`);
    }
  });
  let making: string | null = null;
  void planBaseSnapshot(snapshotFile).then((plan) => {
    if (plan.kind === 'make') making = plan.file;
    if (exited || !child.connected) {
      if (making) finishBaseSnapshot(making, null);
      return;
    }
    child.send({
      type: 'init',
      indexURL: dir + path.sep,
      pyodideUrl: pathToFileURL(path.join(dir, 'pyodide.mjs')).href,
      hostCoreUrl: pathToFileURL(hostCore).href,
      runner,
      pristine: options.pristine,
      baseSnapshotPath: plan.kind === 'load' ? plan.file : null,
      makeBaseSnapshot: plan.kind === 'make',
    });
  });
  // The maker's snapshot never reaches the supervisor; any other first message means it made none.
  const settleMaking = (msg: unknown): boolean => {
    if (!making) return false;
    const file = making;
    making = null;
    const m = msg as { type?: unknown; bytes?: unknown } | null;
    const isSnapshot = m?.type === 'base-snapshot';
    finishBaseSnapshot(file, isSnapshot && m.bytes instanceof Uint8Array ? m.bytes : null);
    return isSnapshot;
  };
  child.on('exit', () => settleMaking(null));
  return {
    send: (msg) => {
      if (!exited && child.connected) child.send(msg);
    },
    onMessage: (cb) => {
      child.on('message', (msg) => {
        if (!settleMaking(msg)) cb(msg);
      });
    },
    onExit: (cb) => {
      exitCb = cb;
    },
    interrupt: () => {
      if (!exited && child.connected) child.send({ type: 'interrupt' });
    },
    terminate: () => {
      if (!exited) child.kill('SIGKILL');
    },
  };
}
