import type { PyodideAPI } from 'pyodide';

export interface HostRunRequest {
  type: 'run';
  id: number;
  code: string;
  isolated: boolean;
  maxChars: number;
}
export interface HostResetRequest {
  type: 'reset';
  id: number;
}
/** An evaluation check (runner's run_check): kind 'human-eval' | 'evalplus-truth' | 'evalplus', payload JSON. */
export interface HostCheckRequest {
  type: 'check';
  id: number;
  kind: string;
  payload: string;
  maxChars: number;
}
export type HostRequest = HostRunRequest | HostResetRequest | HostCheckRequest;
export const SIGINT: 2;

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
  | { type: 'reset-done'; id: number }
  | { type: 'checked'; id: number; json: string }
  | { type: 'recycle'; id: number; reason: string }
  | { type: 'base-snapshot'; bytes: Uint8Array };

export interface PythonHost {
  handle(msg: HostRequest): void;
  version: string;
  loadMs: number;
  /** Started from a base snapshot (false: initialised normally, also when the snapshot could not be used). */
  fromBaseSnapshot: boolean;
  pyodide: PyodideAPI;
  snapshotBytes: number;
}

export function startPythonHost(opts: {
  loadPyodide: (config: Record<string, unknown>) => Promise<PyodideAPI>;
  indexURL: string;
  runner: string;
  interruptBuffer?: SharedArrayBuffer;
  jsglobals: object;
  send: (msg: HostReply) => void;
  pristine?: boolean;
  /** A Pyodide memory snapshot made by an earlier pristine host (python-snapshot.ts): start from it. */
  baseSnapshot?: Uint8Array | null;
  /** Make that snapshot while starting and send it as {type: 'base-snapshot', bytes} before 'ready'. */
  makeBaseSnapshot?: boolean;
}): Promise<PythonHost>;
