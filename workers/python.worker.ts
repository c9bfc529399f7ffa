/// <reference lib="webworker" />
/**
 * Python worker: loads Pyodide from the app's own origin, then locks its scope down (python-lockdown.ts) and
 * answers only through the MessagePort it received at start. The supervisor on the page side
 * (src/services/python/supervisor.ts) owns timeouts and restarts.
 */
import { lockDownWorkerScope } from '../src/platform/browser/python-lockdown.ts';
import { startPythonHost } from '../src/platform/python/host-core.mjs';

interface InitMessage {
  type: 'init';
  indexURL: string;
  runner: string;
  pristine?: boolean;
  interruptBuffer?: SharedArrayBuffer;
}

const scope = self as unknown as DedicatedWorkerGlobalScope;
scope.addEventListener(
  'message',
  (ev: MessageEvent<InitMessage>) => {
    const port = ev.ports[0];
    if (!port || ev.data?.type !== 'init') return;
    void start(ev.data, port);
  },
  { once: true },
);

async function start(init: InitMessage, port: MessagePort): Promise<void> {
  try {
    const { loadPyodide } = (await import(
      /* @vite-ignore */ `${init.indexURL}pyodide.mjs`
    )) as typeof import('pyodide');
    const host = await startPythonHost({
      loadPyodide: loadPyodide as never,
      indexURL: init.indexURL,
      runner: init.runner,
      interruptBuffer: init.interruptBuffer,
      pristine: init.pristine === true,
      jsglobals: Object.create(null) as object,
      send: (msg) => port.postMessage(msg),
    });
    const left = lockDownWorkerScope(scope);
    if (left.length > 0) {
      // Fail closed: never run Python in a scope that still has a way out.
      port.postMessage({
        type: 'init-failed',
        message: `sandbox lockdown incomplete: ${left.join(', ')} still reachable`,
      });
      return;
    }
    port.onmessage = (e) => host.handle(e.data);
    port.postMessage({ type: 'ready', version: host.version, loadMs: host.loadMs });
  } catch (err) {
    port.postMessage({ type: 'init-failed', message: String((err as Error)?.message ?? err).slice(0, 2000) });
  }
}
