// Entry of the Node Python sandbox child process. Started by python-node.ts as
//   node --experimental-permission --allow-fs-read=<runtime files> --allow-worker
//        --disallow-code-generation-from-strings python-sandbox.mjs
// with an IPC channel and an empty environment. Pyodide runs on a worker thread so that this thread stays free
// to write the interrupt flag (a SharedArrayBuffer shared with Pyodide's setInterruptBuffer) while Python is busy.
import { Worker } from 'node:worker_threads';

/** The interrupt buffer's value for SIGINT: Pyodide raises KeyboardInterrupt at its next check (host-core SIGINT). */
const SIGINT = 2;

const flag = new Uint8Array(new SharedArrayBuffer(1));
let worker = null;

process.on('disconnect', () => process.exit(0));
process.on('message', (msg) => {
  if (!msg || typeof msg !== 'object') return;
  if (msg.type === 'init' && worker === null) {
    worker = new Worker(new URL('./python-host.mjs', import.meta.url), {
      workerData: {
        indexURL: msg.indexURL,
        pyodideUrl: msg.pyodideUrl,
        hostCoreUrl: msg.hostCoreUrl,
        runner: msg.runner,
        pristine: msg.pristine === true,
        baseSnapshotPath: typeof msg.baseSnapshotPath === 'string' ? msg.baseSnapshotPath : null,
        makeBaseSnapshot: msg.makeBaseSnapshot === true,
        interruptBuffer: flag.buffer,
      },
    });
    worker.on('message', (reply) => process.send(reply));
    worker.on('error', (err) => {
      // An uncaught error on the Pyodide thread: the supervisor replaces this whole process.
      process.send({ type: 'crashed', message: String((err && err.stack) || err).slice(0, 2000) }, () =>
        process.exit(1),
      );
    });
    worker.on('exit', (code) => process.exit(code || 1));
  } else if (msg.type === 'interrupt') {
    Atomics.store(flag, 0, SIGINT);
  } else if (worker !== null) {
    // Cleared here, on the thread that also writes interrupts, before the request leaves: an interrupt sent
    // for this request can then never be erased by a host that starts it late.
    Atomics.store(flag, 0, 0);
    worker.postMessage(msg);
  }
});
