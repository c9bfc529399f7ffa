/**
 * Node composition of the Python service (CLI, tests, benchmarks, scripts): the supervisor and the check pool
 * over the permission-restricted sandbox child of src/platform/node/python-node.ts.
 */
import { CheckPool } from '../services/eval/pool.ts';
import { PythonSupervisor, type SupervisorOptions } from '../services/python/supervisor.ts';
import { spawnNodePythonTransport } from '../platform/node/python-node.ts';

/** A PythonApi for Node (CLI, tests, benchmarks): untrusted code runs only inside the sandbox child. */
export function createNodePython(opts: SupervisorOptions = {}): PythonSupervisor {
  return new PythonSupervisor(spawnNodePythonTransport, opts);
}

/** N pristine sandbox hosts for evaluation checks (each check starts from the idle interpreter's snapshot). */
export function createNodeCheckPool(size: number, opts: SupervisorOptions = {}): CheckPool {
  return new CheckPool(
    Array.from({ length: size }, () => createNodePython({ graceMs: 1000, ...opts, pristine: true })),
  );
}
