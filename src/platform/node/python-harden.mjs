// Runs in the Pyodide thread of the Node sandbox BEFORE Pyodide is imported. Node's permission model
// (--experimental-permission) already blocks child processes, file writes and reads outside the allowed
// paths, but not the network and not signals (docs/platform.md): close those here, on this thread's own copies
// of the built-in modules, so nothing Pyodide or Python reaches later can open a connection.
import fs from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import tls from 'node:tls';
import dgram from 'node:dgram';
import http from 'node:http';
import https from 'node:https';
import http2 from 'node:http2';

function blocked(what) {
  return function blockedBySandbox() {
    throw deniedError(what);
  };
}

function deniedError(what) {
  const err = new Error(`${what} is blocked in the Python sandbox`);
  err.code = 'ERR_ACCESS_DENIED';
  return err;
}

// A socket that fails like a refused connection (asynchronously, through its 'error' event), so code that
// handles network errors in callbacks (Pyodide's node socket layer) gets an error instead of crashing the thread.
function refusingConnect() {
  // An arrow function keeps `this` (the socket connect() was called on).
  process.nextTick(() => this.destroy(deniedError('network connections')));
  return this;
}

function refusedSocket() {
  return new net.Socket().connect();
}

function replace(target, key, what) {
  Object.defineProperty(target, key, { value: blocked(what), writable: false, configurable: false });
}

export function hardenNodeForPython() {
  // Pyodide's NODEFS needs process.binding('constants').fs, which the permission model removes.
  const constants = { fs: fs.constants, os: os.constants };
  Object.defineProperty(process, 'binding', {
    value: (name) => {
      if (name === 'constants') return constants;
      throw new Error(`process.binding('${name}') is blocked in the Python sandbox`);
    },
    writable: false,
    configurable: false,
  });
  for (const key of ['kill', 'dlopen', 'chdir', 'setuid', 'setgid', 'seteuid', 'setegid', 'setgroups', 'umask']) {
    if (typeof process[key] === 'function') replace(process, key, `process.${key}`);
  }

  Object.defineProperty(net.Socket.prototype, 'connect', {
    value: refusingConnect,
    writable: false,
    configurable: false,
  });
  for (const key of ['connect', 'createConnection']) {
    Object.defineProperty(net, key, { value: refusedSocket, writable: false, configurable: false });
  }
  replace(net, 'createServer', 'net.createServer');
  replace(net.Server.prototype, 'listen', 'net.Server.listen');
  Object.defineProperty(tls, 'connect', { value: refusedSocket, writable: false, configurable: false });
  replace(tls, 'createServer', 'tls.createServer');
  replace(dgram, 'createSocket', 'dgram.createSocket');
  for (const proto of [dgram.Socket.prototype]) {
    for (const key of ['bind', 'connect', 'send']) replace(proto, key, `dgram.Socket.${key}`);
  }
  for (const mod of [http, https]) {
    for (const key of ['request', 'get', 'createServer']) replace(mod, key, 'http(s) requests');
  }
  for (const key of ['connect', 'createServer', 'createSecureServer']) replace(http2, key, `http2.${key}`);
  for (const key of ['fetch', 'WebSocket', 'EventSource', 'XMLHttpRequest']) {
    if (key in globalThis) replace(globalThis, key, key);
  }
}
