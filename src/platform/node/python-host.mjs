// The Pyodide thread of the Node sandbox (started by python-sandbox.mjs). It hardens its own copies of the
// network modules, loads Pyodide with a jsglobals object that does not contain `process` or `require`, and
// answers run/reset requests through the parentPort captured here (never reachable from Python).
import { parentPort, workerData } from 'node:worker_threads';
import { hardenNodeForPython } from './python-harden.mjs';

hardenNodeForPython();
const port = parentPort;
const { startPythonHost } = await import(workerData.hostCoreUrl);
const { loadPyodide } = await import(workerData.pyodideUrl);
try {
  const host = await startPythonHost({
    loadPyodide,
    indexURL: workerData.indexURL,
    runner: workerData.runner,
    interruptBuffer: workerData.interruptBuffer,
    pristine: workerData.pristine === true,
    // `import js` sees only this object: no process, no require, no globalThis.
    jsglobals: Object.create(null),
    send: (msg) => port.postMessage(msg),
  });
  port.on('message', (msg) => host.handle(msg));
  port.postMessage({ type: 'ready', version: host.version, loadMs: host.loadMs });
} catch (err) {
  port.postMessage({ type: 'init-failed', message: String((err && err.message) || err).slice(0, 2000) });
}
