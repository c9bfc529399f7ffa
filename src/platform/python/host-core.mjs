// The interpreter side of the Python service, shared by the browser worker (workers/python.worker.ts) and the
// Node sandbox (src/platform/node/python-host.mjs). Plain JavaScript because the Node sandbox runs it without a
// TypeScript loader (the permission model and a transpiling loader do not mix). Types: host-core.d.mts.
//
// Protocol (plain data): in  {type:'run', id, code, isolated, maxChars} | {type:'reset', id}
//                            | {type:'check', id, kind, payload, maxChars}
//                        out {type:'result', id, result} | {type:'fatal', id, message} | {type:'reset-done', id}
//                            | {type:'checked', id, json} | {type:'recycle', id, reason}
// A pristine host (evaluation) restores a memory snapshot of its warmed, idle interpreter before every request
// (pristine.mjs); when that is impossible it answers 'recycle' and the supervisor starts a new host.
import { findPowTables } from './libm-tables.mjs';
import { installGenerationGates, takeSnapshot } from './pristine.mjs';

/** The value Pyodide's interrupt buffer must hold for Python to raise KeyboardInterrupt (SIGINT). */
export const SIGINT = 2;

/** Python module (in sys.modules) that keeps the runner's namespace for hosts started from a base snapshot. */
const HOST_MODULE = '_rcw_host';

/** Loads Pyodide and the runner; returns a message handler. `send` is the only way out of the host. */
export async function startPythonHost({
  loadPyodide,
  indexURL,
  runner,
  interruptBuffer,
  jsglobals,
  send,
  pristine = false,
  baseSnapshot = null,
  makeBaseSnapshot = false,
}) {
  const started = Date.now();
  if (pristine) installGenerationGates();
  const config = {
    indexURL,
    jsglobals,
    // Python's own streams are replaced per run; anything written outside a run is dropped.
    stdout: () => {},
    stderr: () => {},
    stdin: () => null,
  };
  // A pristine host starts from a saved Pyodide memory snapshot of an earlier host's prepared interpreter when it
  // has one (~0.5 s instead of initialising Python, importing and warming up: 2–7 s); see python-snapshot.ts.
  let pyodide = null;
  let fromBaseSnapshot = false;
  if (pristine && baseSnapshot) {
    try {
      pyodide = await loadPyodide({ ...config, _loadSnapshot: baseSnapshot });
      pyodide.runPython(`import sys; sys.modules['${HOST_MODULE}'].ns`).destroy(); // the runner is there
      fromBaseSnapshot = true;
    } catch {
      pyodide = null; // a stale or damaged snapshot: initialise normally below
    }
  }
  const making = pristine && makeBaseSnapshot && !fromBaseSnapshot;
  pyodide ??= await loadPyodide(making ? { ...config, _makeSnapshot: true } : config);
  if (interruptBuffer) pyodide.setInterruptBuffer(new Uint8Array(interruptBuffer));
  if (!fromBaseSnapshot) {
    const fresh = pyodide.globals.get('dict')();
    pyodide.runPython(runner, { globals: fresh });
    // Kept reachable from Python so that a host started from a base snapshot finds the same functions.
    pyodide.runPython(
      `__import__('sys').modules['${HOST_MODULE}'] = __import__('types').SimpleNamespace(ns=globals())`,
      { globals: fresh },
    );
    if (pristine) {
      // Evaluation: math.pow computes as glibc's does under the official harnesses (glibc_pow.py).
      const tables = findPowTables(pyodide._module.HEAPU8);
      if (tables) fresh.get('install_glibc_pow')(tables.log, tables.exp);
    }
    fresh.destroy();
  }
  const ns = pyodide.runPython(`import sys; sys.modules['${HOST_MODULE}'].ns`);
  const runCell = ns.get('run_cell');
  const resetSession = ns.get('reset_session');
  const runCheck = ns.get('run_check');
  const preparePristine = ns.get('prepare_pristine');
  ns.destroy();
  if (!fromBaseSnapshot) runCell('pass', 0, true, 100); // warm-up: the first run imports ast/compile machinery
  const version = pyodide.runPython('import sys; sys.version.split()[0]');
  let dead = false;
  let snapshot = null;
  /** Outcome of a restore done ahead of the next request: null (none yet), false (done), or a reason to recycle. */
  let restored = null;
  const later = typeof setImmediate === 'function' ? setImmediate : (fn) => setTimeout(fn, 0);
  if (pristine) {
    if (making) {
      // Pyodide's snapshot needs its own JS references intact, so it is taken before prepare_pristine
      // unregisters `js`; the costly part (the imports checks use) is done first and lands in it.
      pyodide.runPython('import importlib\nfor _m in PRELOADED: importlib.import_module(_m)', {
        globals: pyodide.runPython(`import sys; sys.modules['${HOST_MODULE}'].ns`),
      });
      pyodide.runPython('import gc; gc.collect()');
      send({ type: 'base-snapshot', bytes: pyodide.makeMemorySnapshot() });
    }
    preparePristine();
    // Collected before the base snapshot already; a second collection of the restored heap costs 80–230 ms.
    if (!fromBaseSnapshot) pyodide.runPython('import gc; gc.collect()');
    // Pyodide copied the base snapshot into its memory; its bytes can hold the pristine copy.
    snapshot = takeSnapshot(pyodide, fromBaseSnapshot ? baseSnapshot : null);
  }

  // An interrupt can also be noticed by Pyodide as the call into Python starts or returns; it then arrives here
  // as a PythonError of type KeyboardInterrupt, with the interpreter intact (no Python frame was running).
  const isInterrupt = (err) => Boolean(err && err.type === 'KeyboardInterrupt');

  function fatal(id, err) {
    dead = true;
    const text = String((err && err.message) || err);
    // A fatal Pyodide error carries a megabyte of minified source: keep the head only.
    send({ type: 'fatal', id, message: text.slice(0, 2000) });
  }

  function handle(msg) {
    if (!msg || typeof msg !== 'object') return;
    if (dead) {
      send({ type: 'fatal', id: msg.id, message: 'the Python interpreter has stopped' });
      return;
    }
    if (snapshot) {
      const why = restored || snapshot.restore(); // cheap when restored ahead (nothing dirty)
      restored = null;
      if (why) {
        dead = true;
        send({ type: 'recycle', id: msg.id, reason: why });
        return;
      }
    }
    try {
      dispatch(msg);
    } finally {
      if (snapshot) {
        snapshot.close();
        // Restore while the answer travels and the next request is on its way (~5 ms of each check hidden);
        // the next request then only closes the generation again. A reason to recycle waits for that request.
        later(() => {
          if (!dead && restored === null) restored = snapshot.restore() ?? false;
        });
      }
    }
  }

  function dispatch(msg) {
    // The interrupt flag is cleared by the side that writes it, just before it forwards a request (transport),
    // never here: a request that starts late (a busy machine) would otherwise erase an interrupt already sent.
    if (msg.type === 'check') {
      try {
        send({
          type: 'checked',
          id: msg.id,
          json: runCheck(String(msg.kind), String(msg.payload), Number(msg.maxChars)),
        });
      } catch (err) {
        if (isInterrupt(err))
          send({ type: 'checked', id: msg.id, json: '{"error": "KeyboardInterrupt", "keyboard_interrupt": true}' });
        else fatal(msg.id, err);
      }
    } else if (msg.type === 'run') {
      try {
        const json = runCell(String(msg.code), 0, Boolean(msg.isolated), Number(msg.maxChars));
        send({ type: 'result', id: msg.id, result: JSON.parse(json) });
      } catch (err) {
        if (isInterrupt(err)) {
          send({
            type: 'result',
            id: msg.id,
            result: {
              status: 'error',
              stdout: '',
              stderr: '',
              traceback: 'KeyboardInterrupt',
              cell: 1,
              truncated: false,
              error: { type: 'KeyboardInterrupt', message: '', line: null },
            },
          });
          return;
        }
        // run_cell catches BaseException, so anything else escaping it means the interpreter itself broke
        // (os._exit, a wasm trap, stack exhaustion in C).
        fatal(msg.id, err);
      }
    } else if (msg.type === 'reset') {
      try {
        resetSession();
        send({ type: 'reset-done', id: msg.id });
      } catch (err) {
        fatal(msg.id, err);
      }
    }
  }

  return {
    handle,
    version,
    loadMs: Date.now() - started,
    fromBaseSnapshot,
    pyodide,
    snapshotBytes: snapshot?.snapshotBytes ?? 0,
  };
}
