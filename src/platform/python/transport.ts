import type { HostReply, HostRequest } from './host-core.mjs';

/** Messages a Python host sends besides replies: its start-up outcome. */
export type HostMessage =
  | HostReply
  | { type: 'ready'; version: string; loadMs: number; fromBaseSnapshot?: boolean }
  | { type: 'init-failed'; message: string }
  | { type: 'crashed'; message: string };

/**
 * A running Python host, whatever carries it: a browser Worker (src/platform/browser/python-transport.ts) or a
 * permission-restricted Node child process (src/platform/node/python-node.ts). The supervisor owns exactly one at a
 * time and replaces it when it dies or stops answering.
 */
export interface PythonTransport {
  send(msg: HostRequest): void;
  /** Called once by the supervisor. Messages are untrusted plain data and are validated there. */
  onMessage(cb: (msg: unknown) => void): void;
  /** The host went away (crash, exit, terminate()). */
  onExit(cb: (reason: string) => void): void;
  /** Ask Python to raise KeyboardInterrupt at its next check (SharedArrayBuffer flag). */
  interrupt(): void;
  terminate(): void;
}

export interface HostOptions {
  /** Evaluation host: restore a memory snapshot of the idle interpreter before every request (pristine.mjs). */
  pristine: boolean;
}

/** Starts a new host that loads Pyodide and then the runner (runner.py + evalcheck.py, loaded by the platform). */
export type PythonTransportFactory = (options: HostOptions) => PythonTransport;
