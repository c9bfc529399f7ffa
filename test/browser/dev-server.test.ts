/**
 * `npm start` (the Vite dev server) serves the app with the security headers and the offline
 * runtime from public/ (scripts/copy-runtime.mjs has run: `npm test` and `npm start` do it first).
 * No browser needed: the page itself is exercised on the built app by shell.test.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './harness.ts';

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => res(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

describe('the dev server (npm start)', () => {
  let server: ChildProcess;
  let base = '';
  let log = '';

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}/`;
    server = spawn(
      process.execPath,
      [
        join(repoRoot, 'node_modules', 'vite', 'bin', 'vite.js'),
        '--host',
        '127.0.0.1',
        '--port',
        String(port),
        '--strictPort',
      ],
      {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    server.stdout?.on('data', (d) => (log += d));
    server.stderr?.on('data', (d) => (log += d));
    const t0 = Date.now();
    for (;;) {
      if (server.exitCode !== null) throw new Error(`vite exited (${server.exitCode}):\n${log}`);
      if (Date.now() - t0 > 60_000) throw new Error(`vite did not answer on ${base}:\n${log}`);
      try {
        if ((await fetch(base)).ok) break;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  });
  afterAll(() => {
    server?.kill('SIGTERM');
  });

  it('prints its address', () => {
    // Vite colours its banner when the environment allows it (CI=true does): compare the plain text.
    const plain = log.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '');
    expect(plain).toContain(base);
  });

  it('sends COOP/COEP and a CSP without unsafe-eval', async () => {
    const r = await fetch(base);
    expect(r.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(r.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    const csp = r.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(csp).toMatch(/connect-src 'self' http:\/\/127\.0\.0\.1:\* http:\/\/localhost:\*/);
    expect(csp).not.toContain("'unsafe-eval'");
    expect(await r.text()).toContain('<main id="app">');
  });

  it('serves the Pyodide runtime and the tfjs wasm binaries from public/', async () => {
    const lock = await fetch(`${base}pyodide/pyodide-lock.json`);
    expect(lock.headers.get('content-type')).toMatch(/json/);
    expect(Object.keys((await lock.json()) as object)).toContain('packages');
    const wasm = await fetch(`${base}tfjs-wasm/tfjs-backend-wasm-simd.wasm`);
    expect(wasm.headers.get('content-type')).toBe('application/wasm');
    expect(Array.from(new Uint8Array(await wasm.arrayBuffer()).slice(0, 4))).toEqual([0, 0x61, 0x73, 0x6d]);
  });
});
