import { SIGINT } from '../python/host-core.mjs';
import type { HostOptions, PythonTransport, PythonTransportFactory } from '../python/transport.ts';

/**
 * Python hosts in dedicated workers. Each host gets a MessageChannel port at start and answers only on it;
 * the worker's own postMessage is deleted after Pyodide loads, so nothing from the worker's default channel
 * is ever read here. `runner` is the Python source every host runs (runner.py + evalcheck.py, src/page/python.ts). Interrupts use a 1-byte SharedArrayBuffer (needs cross-origin isolation; without it a
 * run past its limit is stopped by replacing the worker).
 */
export function browserPythonTransports(indexURL: string, runner: string): PythonTransportFactory {
  return (options: HostOptions = { pristine: false }): PythonTransport => {
    const worker = new Worker(new URL('../../../workers/python.worker.ts', import.meta.url), {
      type: 'module',
      name: 'python',
    });
    const channel = new MessageChannel();
    const flag = globalThis.crossOriginIsolated ? new Uint8Array(new SharedArrayBuffer(1)) : null;
    let exitCb: ((reason: string) => void) | null = null;
    let exited = false;
    const exit = (reason: string): void => {
      if (exited) return;
      exited = true;
      worker.terminate();
      channel.port1.close();
      exitCb?.(reason);
    };
    worker.addEventListener('error', (ev) => {
      ev.preventDefault();
      exit(ev.message || 'the Python worker failed to load');
    });
    worker.postMessage({ type: 'init', indexURL, runner, pristine: options.pristine, interruptBuffer: flag?.buffer }, [
      channel.port2,
    ]);
    return {
      send: (msg) => {
        if (exited) return;
        // Cleared by the writer before the request leaves, so a late-starting request cannot erase its interrupt.
        if (flag) Atomics.store(flag, 0, 0);
        channel.port1.postMessage(msg);
      },
      onMessage: (cb) => {
        channel.port1.onmessage = (ev) => cb(ev.data);
      },
      onExit: (cb) => {
        exitCb = cb;
      },
      interrupt: () => {
        if (flag) Atomics.store(flag, 0, SIGINT);
      },
      terminate: () => exit('terminated'),
    };
  };
}
