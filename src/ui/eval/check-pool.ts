/**
 * The page's evaluation hosts: a pool of pristine Pyodide workers (each check starts from a memory snapshot of
 * an idle interpreter), created on first use and kept warm for the next run. Separate from the Reflect panel's
 * session interpreter, whose state must persist between cells.
 */
import { browserPythonTransports } from '../../platform/browser/python-transport.ts';
import { CheckPool } from '../../services/eval/pool.ts';
import { PythonSupervisor } from '../../services/python/supervisor.ts';

/** Hosts in the page's pool: the cores, at most 4 (each Pyodide worker holds ~60 MB). */
export const PAGE_POOL_MAX = 4;

let pool: CheckPool | null = null;

export function pageCheckPool(): CheckPool {
  if (pool) return pool;
  const indexURL = new URL(`${import.meta.env.BASE_URL}pyodide/`, location.href).href;
  const size = Math.max(1, Math.min(PAGE_POOL_MAX, navigator.hardwareConcurrency || 1));
  const factory = browserPythonTransports(indexURL);
  pool = new CheckPool(Array.from({ length: size }, () => new PythonSupervisor(factory, { pristine: true, graceMs: 1000 })));
  (window as unknown as { __rcCheckPool?: CheckPool }).__rcCheckPool = pool;
  return pool;
}
