import type { PythonTransport, PythonTransportFactory } from '../../services/python/transport.ts';

/**
 * Python hosts in dedicated workers. Each host gets a MessageChannel port at start and answers only on it;
 * the worker's own postMessage is deleted after Pyodide loads, so nothing from the worker's default channel
 * is ever read here. Interrupts use a 1-byte SharedArrayBuffer (needs cross-origin isolation; without it a
 * run past its limit is stopped by replacing the worker).
 */
export function browserPythonTransports(indexURL: string): PythonTransportFactory {
  return (runner: string): PythonTransport => {
    const worker = new Worker(new URL('../../../workers/python.worker.ts', import.meta.url), { type: 'module', name: 'python' });
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
    worker.postMessage({ type: 'init', indexURL, runner, interruptBuffer: flag?.buffer }, [channel.port2]);
    return {
      send: (msg) => { if (!exited) channel.port1.postMessage(msg); },
      onMessage: (cb) => { channel.port1.onmessage = (ev) => cb(ev.data); },
      onExit: (cb) => { exitCb = cb; },
      interrupt: () => { if (flag) Atomics.store(flag, 0, 2); },
      terminate: () => exit('terminated'),
    };
  };
}
