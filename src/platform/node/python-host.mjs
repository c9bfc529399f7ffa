// The Pyodide thread of the Node sandbox (started by python-sandbox.mjs). It hardens its own copies of the
// network modules, loads Pyodide with a jsglobals object that does not contain `process` or `require`, and
// answers run/reset requests through the parentPort captured here (never reachable from Python).
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { hardenNodeForPython } from './python-harden.mjs';

hardenNodeForPython();

/** The evaluation hosts' base snapshot (python-snapshot.ts), or null: unreadable means a normal start. */
function readBaseSnapshot(file) {
  if (typeof file !== 'string') return null;
  try {
    const bytes = readFileSync(file);
    // Pyodide reads it through a Uint32Array, which needs 4-byte alignment.
    return bytes.byteOffset % 4 === 0 ? bytes : new Uint8Array(bytes);
  } catch {
    return null;
  }
}
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
    baseSnapshot: readBaseSnapshot(workerData.baseSnapshotPath),
    makeBaseSnapshot: workerData.makeBaseSnapshot === true,
    // `import js` sees only this object: no process, no require, no globalThis.
    jsglobals: Object.create(null),
    send: (msg) => port.postMessage(msg),
  });
  port.on('message', (msg) => host.handle(msg));
  port.postMessage({
    type: 'ready',
    version: host.version,
    loadMs: host.loadMs,
    fromBaseSnapshot: host.fromBaseSnapshot,
  });
} catch (err) {
  port.postMessage({ type: 'init-failed', message: String((err && err.message) || err).slice(0, 2000) });
}
