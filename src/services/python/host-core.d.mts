import type { PyodideAPI } from 'pyodide';

export interface HostRunRequest { type: 'run'; id: number; code: string; isolated: boolean; maxChars: number }
export interface HostResetRequest { type: 'reset'; id: number }
export type HostRequest = HostRunRequest | HostResetRequest;

/** What run_cell returns (RunResult without durationMs / the timeout mapping done by the supervisor). */
export interface HostRunResult {
  status: 'ok' | 'error';
  stdout: string;
  stderr: string;
  error?: { type: string; message: string; line: number | null };
  traceback: string;
  cell: number;
  truncated: boolean;
}
export type HostReply =
  | { type: 'result'; id: number; result: HostRunResult }
  | { type: 'fatal'; id: number; message: string }
  | { type: 'reset-done'; id: number };

export interface PythonHost {
  handle(msg: HostRequest): void;
  version: string;
  loadMs: number;
  pyodide: PyodideAPI;
}

export function startPythonHost(opts: {
  loadPyodide: (config: Record<string, unknown>) => Promise<PyodideAPI>;
  indexURL: string;
  runner: string;
  interruptBuffer?: SharedArrayBuffer;
  jsglobals: object;
  send: (msg: HostReply) => void;
}): Promise<PythonHost>;
