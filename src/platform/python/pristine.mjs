// Pristine interpreter for evaluation: a snapshot of the whole wasm linear memory of a warmed, idle interpreter,
// copied back before every check. All of CPython's state lives in that memory (modules and their attributes,
// builtins, sys settings, warning filters, the asyncio loop, recursion limit, streams, sys.modules), so the copy
// returns it byte for byte. The few pieces of state that live on the JavaScript side are handled here:
//   - timers and scheduled callbacks: every callback scheduled during a check belongs to its generation and
//     never runs after the check ends (setTimeout/setInterval/setImmediate and Pyodide's scheduleCallback);
//   - PyProxies a check created: taken off the FinalizationRegistry so no later decref reaches restored memory;
//   - the hiwire table (JS values Python holds): restored to the snapshot's entries, later slots cleared;
//   - the file system (MEMFS lives in JS): files and folders a check added are removed, the working directory
//     and the open-file table are restored;
// and whatever cannot be put back (a changed or deleted snapshot file, a grown function table, a loaded shared
// library, new interned JS strings, a moved stack pointer) is reported, and the supervisor replaces the host.
// Plain JavaScript: it runs in the Node sandbox without a TypeScript loader (see host-core.mjs).

let generation = 0;

/** Wraps the timer functions of this thread so that callbacks scheduled in an older generation never run.
 * Must run before Pyodide is loaded (it reads the globals at call time, but we want one wrapper everywhere). */
export function installGenerationGates(scope = globalThis) {
  for (const name of ['setTimeout', 'setInterval', 'setImmediate']) {
    const original = scope[name];
    if (typeof original !== 'function') continue;
    scope[name] = function gatedTimer(fn, ...rest) {
      if (typeof fn !== 'function') return original.call(scope, fn, ...rest);
      const born = generation;
      return original.call(
        scope,
        function gatedCallback(...args) {
          if (born === generation) return fn.apply(this, args);
          return undefined;
        },
        ...rest,
      );
    };
  }
}

function hiwireValues(get) {
  const values = [];
  for (let i = 0; ; i++) {
    try {
      values.push(get(i));
    } catch {
      return values;
    }
  }
}

/** path -> { node, mode, size } of every file-system node outside /dev and /proc. */
function fsListing(FS) {
  const out = new Map();
  const walk = (path) => {
    let names;
    try {
      names = FS.readdir(path);
    } catch {
      return;
    }
    for (const name of names) {
      if (name === '.' || name === '..') continue;
      const full = path === '/' ? `/${name}` : `${path}/${name}`;
      if (full === '/dev' || full === '/proc') continue;
      let node;
      try {
        node = FS.lookupPath(full, { follow: false }).node;
      } catch {
        continue;
      }
      const size = node.contents && typeof node.usedBytes === 'number' ? node.usedBytes : 0;
      out.set(full, {
        node,
        mode: node.mode,
        size,
        mtime: FS.isDir(node.mode) ? 0 : Number(node.mtime ?? node.timestamp ?? 0),
      });
      if (FS.isDir(node.mode) && !FS.isMountpoint(node)) walk(full);
    }
  };
  walk('/');
  return out;
}

/**
 * Takes the snapshot now (the interpreter must be idle) and returns `restore()`, which puts the interpreter back
 * and returns null, or a sentence saying why it cannot (the host must then be replaced). `reuse`: bytes nobody
 * needs any more that may hold the copy (overwritten).
 */
export function takeSnapshot(pyodide, reuse = null) {
  const M = pyodide._module;
  const API = pyodide._api;
  const FS = M.FS;
  const memory = M.wasmMemory ?? null;
  const heap = () => (memory ? new Uint8Array(memory.buffer) : M.HEAPU8);
  const sbrk = typeof M._sbrk === 'function' ? M._sbrk : null;

  // Callbacks Pyodide schedules itself (asyncio's call_soon) join the generation too.
  if (API && typeof API.scheduleCallback === 'function') {
    const schedule = API.scheduleCallback;
    API.scheduleCallback = (fn, delay) => {
      const born = generation;
      schedule(() => {
        if (born === generation) fn();
      }, delay);
    };
  }
  // PyProxies registered after the snapshot are forgotten at restore time.
  const registry = M.finalizationRegistry;
  const fresh = new Set();
  if (registry) {
    M.finalizationRegistry = {
      register(target, held, token) {
        if (token !== undefined) fresh.add(token);
        return registry.register(target, held, token);
      },
      unregister(token) {
        fresh.delete(token);
        return registry.unregister(token);
      },
    };
  }

  // A fresh 31 MB copy pays a page fault per 4 KiB (150–250 ms on a busy machine); memory already touched, such
  // as the base snapshot's bytes once Pyodide has loaded them, is reused when it is large enough (~25 ms).
  const now = heap();
  let saved;
  if (reuse && reuse.byteLength >= now.length) {
    saved = new Uint8Array(reuse.buffer, reuse.byteOffset, now.length);
    saved.set(now);
  } else saved = now.slice();
  const stack = M.stackSave();
  const hiwire = hiwireValues((i) => M.__hiwire_get(i));
  const immortal = hiwireValues((i) => M.__hiwire_immortal_get(i)).length;
  const tableLength = M.wasmTable?.length ?? 0;
  const libs = Object.keys(M.LDSO?.loadedLibsByName ?? {}).length;
  const cwd = FS.cwd();
  const streams = FS.streams.slice();
  const files = fsListing(FS);
  let dirty = false;

  function fsRepair() {
    const now = fsListing(FS);
    for (const [path, was] of files) {
      const is = now.get(path);
      if (!is || is.node !== was.node || is.mode !== was.mode || is.size !== was.size || is.mtime !== was.mtime) {
        return `the file system changed at ${path}`;
      }
    }
    const added = [...now.keys()].filter((p) => !files.has(p)).sort((a, b) => b.length - a.length);
    for (const path of added) {
      try {
        if (FS.isDir(now.get(path).mode)) FS.rmdir(path);
        else FS.unlink(path);
      } catch (err) {
        return `cannot remove ${path} (${err?.message ?? err})`;
      }
    }
    for (let fd = 0; fd < FS.streams.length; fd++) {
      const s = FS.streams[fd];
      if (fd < streams.length && streams[fd]) {
        if (s !== streams[fd]) return `open file ${fd} was replaced or closed`;
      } else if (s) {
        try {
          FS.close(s);
        } catch {
          FS.streams[fd] = null;
        }
      }
    }
    if (FS.cwd() !== cwd) FS.chdir(cwd);
    return null;
  }

  return {
    /** Closes the current generation: nothing a check scheduled may run any more. Call when a check ends. */
    close() {
      generation += 1;
      dirty = true;
    },
    restore() {
      generation += 1;
      for (const token of fresh) registry?.unregister(token);
      fresh.clear();
      if (!dirty) return null;
      if (M.stackSave() !== stack) return 'the wasm stack pointer moved';
      if ((M.wasmTable?.length ?? 0) !== tableLength)
        return 'the wasm function table grew (a shared library or callback was loaded)';
      if (Object.keys(M.LDSO?.loadedLibsByName ?? {}).length !== libs) return 'a shared library was loaded';
      if (hiwireValues((i) => M.__hiwire_immortal_get(i)).length !== immortal)
        return 'new immortal JavaScript values were interned';
      const why = fsRepair();
      if (why) return why;
      const h = heap();
      const top = sbrk ? Math.min(h.length, sbrk(0)) : h.length;
      h.set(saved);
      if (top > saved.length) h.fill(0, saved.length, top);
      else if (!sbrk && h.length > saved.length) h.fill(0, saved.length);
      for (let i = 0; ; i++) {
        let ok;
        try {
          M.__hiwire_get(i);
          ok = true;
        } catch {
          ok = false;
        }
        if (!ok) break;
        M.__hiwire_set(i, i < hiwire.length ? hiwire[i] : null);
      }
      dirty = false;
      return null;
    },
    snapshotBytes: saved.length,
  };
}
