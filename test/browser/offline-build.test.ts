/**
 * The build is self-contained: the Pyodide runtime and the tfjs wasm binaries are in it, and no
 * file points at a CDN. (The browser project runs after `vite build`, so dist/ exists here.)
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { distDir } from './harness.ts';

const CDN_HOSTS = [
  'cdn.jsdelivr.net',
  'unpkg.com',
  'cdnjs.cloudflare.com',
  'esm.sh',
  'fonts.googleapis.com',
  'fonts.gstatic.com',
  'cdn.skypack.dev',
];

/**
 * The one tolerated hit: Pyodide's own loader (copied verbatim) names its CDN as the default
 * `packageBaseUrl` for loadPackage(). The app loads no packages, the CSP (connect-src) blocks that
 * host, and the shell test asserts every request stays on 127.0.0.1.
 */
const KNOWN = ['pyodide/pyodide.mjs: https://cdn.jsdelivr.net'];

function* walk(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* walk(p);
    else yield p;
  }
}

describe(`the build in ${distDir}`, () => {
  it('contains the Pyodide runtime and the tfjs wasm binaries', () => {
    for (const f of ['pyodide.mjs', 'pyodide.asm.mjs', 'pyodide.asm.wasm', 'python_stdlib.zip', 'pyodide-lock.json']) {
      const p = join(distDir, 'pyodide', f);
      expect(existsSync(p), p).toBe(true);
      expect(statSync(p).size, p).toBeGreaterThan(1000);
    }
    for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm'])
      expect(existsSync(join(distDir, 'tfjs-wasm', f)), f).toBe(true);
  });

  it("has no CDN address in any text file (html, js, mjs, css, json) beyond Pyodide's dormant default", () => {
    const hits: string[] = [];
    let scanned = 0;
    for (const file of walk(distDir)) {
      if (!/\.(html|js|mjs|css|json|map)$/.test(file)) continue;
      scanned++;
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/https?:\/\/([a-z0-9.-]+)/gi)) {
        const host = m[1].toLowerCase();
        if (CDN_HOSTS.some((h) => host === h || host.endsWith(`.${h}`)))
          hits.push(`${relative(distDir, file)}: ${m[0]}`);
      }
    }
    expect(scanned).toBeGreaterThan(3);
    expect(hits.filter((h) => !KNOWN.includes(h))).toEqual([]);
  });

  it('keeps tfjs out of what the page loads up front (it runs in the workers)', () => {
    // The entry script of index.html and every chunk it imports statically (not the lazy import()s).
    const html = readFileSync(join(distDir, 'index.html'), 'utf8');
    const entry = /<script[^>]+src="\/?([^"]+\.js)"/.exec(html)?.[1];
    expect(entry, 'entry script in index.html').toBeTruthy();
    const seen = new Set<string>();
    const queue = [entry!];
    while (queue.length) {
      const file = queue.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      const text = readFileSync(join(distDir, file), 'utf8');
      expect(text.includes('registerBackend'), `${file} contains tfjs`).toBe(false);
      for (const m of text.matchAll(/(?:\bfrom|\bimport)\s*["']\.\/([^"']+\.js)["']/g))
        queue.push(join(file, '..', m[1]));
    }
    expect(seen.size).toBeGreaterThan(0);
  });
});
