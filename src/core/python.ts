/**
 * The Python execution API the reflection loop runs code through (re-exported by src/api/python.ts). One
 * implementation (src/services/python/supervisor.ts) drives a Pyodide host in a browser Worker or a Node child process.
 */
export interface RunOptions {
  /** 'session': cells share one namespace, like a Jupyter kernel (reflection loops).
   *  'isolated': a fresh namespace with builtins restored (evaluation). Default 'session'. */
  mode?: 'session' | 'isolated';
  /** Wall-clock limit for the run; at the limit Python is interrupted, and if it does not stop within a grace
   *  period the interpreter is replaced. Default 10 000 ms. */
  timeoutMs?: number;
  /** Characters kept per stream (stdout, stderr); the rest is dropped with a note. Default 100 000. */
  maxOutputChars?: number;
}

export interface RunError {
  /** Exception class name, e.g. 'AssertionError'; 'Timeout' for a run stopped at its limit;
   *  'PythonRuntimeError' when the interpreter itself died. */
  type: string;
  message: string;
  /** Line in the running cell where the error surfaced, or null. */
  line: number | null;
}

export interface RunResult {
  status: 'ok' | 'error' | 'timeout';
  stdout: string;
  stderr: string;
  error?: RunError;
  /** IPython-style traceback ('Cell In[n], line k', '---->' marker), '' when ok. */
  traceback: string;
  durationMs: number;
  /** Cell number: the session's counter for 'session' runs, 1 for 'isolated' runs. */
  cell: number;
  truncated: boolean;
}

export interface PythonStatus {
  ready: boolean;
  version?: string;
}

export interface PythonApi {
  run(code: string, options?: RunOptions): Promise<RunResult>;
  resetSession(): Promise<void>;
  status(): Promise<PythonStatus>;
}
