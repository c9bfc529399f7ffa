/**
 * The page's Python services, wired to browser transports: one session supervisor (Reflect panel) and a pool
 * of pristine hosts for evaluation checks, both started on first use (the runtime costs seconds of CPU, so
 * opening the app never loads it). Every host runs runner.py + evalcheck.py, bundled with Vite's ?raw.
 */
import type { PythonState } from '../api/python.ts';
import { browserPythonTransports } from '../platform/browser/python-transport.ts';
import { CheckPool } from '../services/eval/pool.ts';
import evalcheckPy from '../services/python/evalcheck.py?raw';
import glibcPowPy from '../services/python/glibc_pow.py?raw';
import runnerPy from '../services/python/runner.py?raw';
import { PythonSupervisor } from '../services/python/supervisor.ts';

export type { CheckPool, PythonSupervisor };

/** Hosts in the page's pool: the cores, at most 4 (each Pyodide worker holds ~60 MB). */
export const PAGE_POOL_MAX = 4;

const RUNNER = runnerPy + '\n' + evalcheckPy + '\n' + glibcPowPy;

function transports(): ReturnType<typeof browserPythonTransports> {
  const indexURL = new URL(`${import.meta.env.BASE_URL}pyodide/`, location.href).href;
  return browserPythonTransports(indexURL, RUNNER);
}

let session: PythonSupervisor | null = null;

/** The session interpreter (state persists between cells); `onState` drives the status bar. */
export function pageSessionPython(onState: (state: PythonState, detail?: string) => void): PythonSupervisor {
  if (session) return session;
  session = new PythonSupervisor(transports(), { onState });
  // For the browser test's escape probes and for poking at it from the devtools console.
  (window as unknown as { __rcPython?: PythonSupervisor }).__rcPython = session;
  return session;
}

let pool: CheckPool | null = null;

/** Pristine evaluation hosts (each check starts from a memory snapshot of an idle interpreter), kept warm. */
export function pageCheckPool(): CheckPool {
  if (pool) return pool;
  const size = Math.max(1, Math.min(PAGE_POOL_MAX, navigator.hardwareConcurrency || 1));
  const factory = transports();
  pool = new CheckPool(
    Array.from({ length: size }, () => new PythonSupervisor(factory, { pristine: true, graceMs: 1000 })),
  );
  (window as unknown as { __rcCheckPool?: CheckPool }).__rcCheckPool = pool;
  return pool;
}
