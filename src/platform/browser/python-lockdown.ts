/**
 * Removes from a worker's global scope everything Python could use to leave the sandbox once Pyodide has
 * loaded (docs/platform.md, "Danger"): network (fetch, XHR, WebSocket, ...), the app's storage (IndexedDB, Cache
 * Storage, OPFS via navigator.storage), script loading, nested workers, broadcast channels, and postMessage
 * (so no message to the page can be forged; the host answers through a MessagePort kept in a closure).
 * Python already sees only an empty `js` module (loadPyodide({ jsglobals })); this is the second layer, and
 * the page's CSP (no 'unsafe-eval') is the third.
 */
export const LOCKED_GLOBALS = [
  'fetch',
  'XMLHttpRequest',
  'WebSocket',
  'WebSocketStream',
  'WebTransport',
  'EventSource',
  'indexedDB',
  'caches',
  'importScripts',
  'Worker',
  'SharedWorker',
  'BroadcastChannel',
  'postMessage',
  'RTCPeerConnection',
  'RTCDataChannel',
] as const;

/** Deletes `name` from every object of the prototype chain that owns it. */
function deleteEverywhere(start: object, name: string): void {
  for (let o: object | null = start; o !== null; o = Object.getPrototypeOf(o)) {
    if (Object.prototype.hasOwnProperty.call(o, name)) {
      try {
        delete (o as Record<string, unknown>)[name];
      } catch {
        // non-configurable: checked below
      }
    }
  }
}

/** Returns the names that are still reachable afterwards (empty when the lockdown held). */
export function lockDownWorkerScope(scope: object = globalThis): string[] {
  for (const name of LOCKED_GLOBALS) deleteEverywhere(scope, name);
  const nav = (scope as { navigator?: object }).navigator;
  if (nav) deleteEverywhere(nav, 'storage');
  const left: string[] = LOCKED_GLOBALS.filter((name) => name in scope);
  if (nav && 'storage' in nav) left.push('navigator.storage');
  return left;
}
