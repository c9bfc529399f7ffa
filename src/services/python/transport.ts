import type { HostReply, HostRequest } from './host-core.mjs';

/** Messages a Python host sends besides replies: its start-up outcome. */
export type HostMessage = HostReply | { type: 'ready'; version: string; loadMs: number } | { type: 'init-failed'; message: string }
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

/** Starts a new host that loads Pyodide and then runs `runner` (RUNNER_PY). */
export type PythonTransportFactory = (runner: string) => PythonTransport;
