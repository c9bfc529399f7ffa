import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodePython } from '../../../src/cli/python-node.ts';
import type { PythonSupervisor } from '../../../src/services/python/supervisor.ts';

// Escape probes: untrusted Python must not spawn processes, touch host files, open connections or reach
// Node's `process` / `require` / code generation. Each probe must fail (an error result, or a dead
// interpreter that is replaced), and the host must show no effect.

let py: PythonSupervisor;
let server: net.Server;
let port = 0;
let connections = 0;
const scratch = mkdtempSync(path.join(os.tmpdir(), 'rc-sandbox-'));

beforeAll(async () => {
  server = net.createServer((sock) => {
    connections += 1;
    sock.destroy();
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  port = (server.address() as net.AddressInfo).port;
  py = createNodePython({ graceMs: 800 });
  await py.start();
});
afterAll(async () => {
  py?.dispose();
  await new Promise<void>((ok) => server.close(() => ok()));
  rmSync(scratch, { recursive: true, force: true });
});

async function expectBlocked(code: string): Promise<string> {
  const r = await py.run(code, { mode: 'isolated', timeoutMs: 5000 });
  // 'error' covers both a Python exception and an interpreter the supervisor had to replace.
  expect(r.status, `probe should fail:\n${code}\nstdout: ${r.stdout}`).toBe('error');
  if (process.env.RC_PROBE_DEBUG)
    console.log(code.split('\n').pop(), '=>', r.error?.type, r.error?.message.slice(0, 200));
  return `${r.error?.type}: ${r.error?.message}`;
}

describe('Python sandbox (Node permission model + hardening)', () => {
  it('cannot run host commands', async () => {
    const marker = path.join(scratch, 'pwned');
    const r = await py.run(`import os\nrc = os.system("touch ${marker}")\nassert rc == 0, rc`, { mode: 'isolated' });
    expect(r.status).toBe('error');
    await expectBlocked('import subprocess\nsubprocess.run(["ls", "/"], check=True)');
    expect(existsSync(marker)).toBe(false);
    expect((await py.run('print("ok")', { mode: 'isolated' })).stdout).toBe('ok\n');
  });

  it('cannot read host files', async () => {
    const hostFirstLine = readFileSync('/etc/passwd', 'utf8').split('\n')[0];
    // Python's own file system is an in-memory one: /etc/passwd there is not the host's.
    const plain = await py.run(
      'try:\n    print(open("/etc/passwd").read())\nexcept OSError as e:\n    print("no file", e)',
      { mode: 'isolated' },
    );
    expect(plain.stdout).not.toContain(hostFirstLine);
    // Mounting the host file system through the JS bridge is refused by the permission model.
    await expectBlocked(
      'import pyodide_js\npyodide_js.mountNodeFS("/hostetc", "/etc")\nprint(open("/hostetc/passwd").read())',
    );
  });

  it('cannot write host files', async () => {
    const target = path.join(scratch, 'written.txt');
    await expectBlocked(
      `import pyodide_js\npyodide_js.mountNodeFS("/hosttmp", "${scratch}")\nopen("/hosttmp/written.txt", "w").write("x")`,
    );
    expect(existsSync(target)).toBe(false);
  });

  it('cannot open network connections (a listener on 127.0.0.1 sees nothing)', async () => {
    await expectBlocked(
      `import socket\ns = socket.create_connection(("127.0.0.1", ${port}), timeout=2)\ns.sendall(b"x")`,
    );
    await expectBlocked(
      `import pyodide_js\npyodide_js.useNodeSockFS()\nimport socket\ns = socket.create_connection(("127.0.0.1", ${port}), timeout=2)\ns.sendall(b"x")`,
    );
    await expectBlocked(`import urllib.request\nurllib.request.urlopen("http://127.0.0.1:${port}/", timeout=2)`);
    await expectBlocked(`import js\njs.fetch("http://127.0.0.1:${port}/")`);
    await new Promise((ok) => setTimeout(ok, 300));
    expect(connections).toBe(0);
  });

  it('the hardening itself refuses connections, fetch and signals on the thread it runs on', async () => {
    // Python's socket layer above already fails before reaching Node's net here; this proves the second
    // layer (python-harden.mjs) on its own, in a fresh thread with real net/fetch/process.
    const hardenUrl = new URL('../../../src/platform/node/python-harden.mjs', import.meta.url).href;
    const code = `
      const { parentPort } = require('node:worker_threads');
      import(${JSON.stringify(hardenUrl)}).then(async ({ hardenNodeForPython }) => {
        hardenNodeForPython();
        const net = require('node:net');
        const out = {};
        out.net = await new Promise((ok) => {
          const s = net.connect(${port}, '127.0.0.1');
          s.on('connect', () => ok('connected'));
          s.on('error', (e) => ok(e.code));
        });
        try { await fetch('http://127.0.0.1:${port}/'); out.fetch = 'fetched'; } catch (e) { out.fetch = e.code; }
        try { process.kill(process.pid, 0); out.kill = 'signalled'; } catch (e) { out.kill = e.code; }
        try { require('node:http').get('http://127.0.0.1:${port}/'); out.http = 'requested'; } catch (e) { out.http = e.code; }
        parentPort.postMessage(out);
      });`;
    const { Worker } = await import('node:worker_threads');
    const w = new Worker(code, { eval: true });
    const out = await new Promise((ok, fail) => {
      w.once('message', ok);
      w.once('error', fail);
    });
    await w.terminate();
    expect(out).toEqual({
      net: 'ERR_ACCESS_DENIED',
      fetch: 'ERR_ACCESS_DENIED',
      kill: 'ERR_ACCESS_DENIED',
      http: 'ERR_ACCESS_DENIED',
    });
    await new Promise((ok) => setTimeout(ok, 200));
    expect(connections).toBe(0);
  });

  it('cannot reach process, require, fetch or code generation through the JS bridge', async () => {
    expect(await expectBlocked('import js\njs.process.pid')).toMatch(/AttributeError/);
    expect(await expectBlocked('from js import process')).toMatch(/ImportError/);
    expect(await expectBlocked('import js\njs.require("child_process")')).toMatch(/AttributeError/);
    await expectBlocked('import js\njs.eval("1 + 1")');
    await expectBlocked('import js\njs.Function("return process")()');
    await expectBlocked('from pyodide.code import run_js\nrun_js("process.pid")');
    expect(await expectBlocked('import pyodide_js\npyodide_js.constructor.constructor("return process")()')).toMatch(
      /EvalError|Code generation/i,
    );
    const m = await py.run(
      'import pyodide_js\nm = pyodide_js._module\nprint(getattr(m, "process", None), getattr(m, "require", None))',
      { mode: 'isolated' },
    );
    expect(m.stdout).toBe('None None\n');
  });
});
