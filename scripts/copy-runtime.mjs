#!/usr/bin/env node
/**
 * Copies the runtime files the page loads at run time into public/, so that dev and preview
 * servers serve them from the app's own origin (no CDN; the machine may have no network):
 *   public/pyodide/    the five Pyodide files (loadPyodide({ indexURL: `${base}pyodide/` }))
 *   public/tfjs-wasm/  the tfjs wasm binaries (setWasmPaths(`${base}tfjs-wasm/`))
 * Both folders are gitignored; `npm start`, `npm run build` and `npm test` run this first.
 * A file is copied only when missing or different in size/mtime, so re-runs are instant.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const nm = join(root, 'node_modules');

const PYODIDE_FILES = ['pyodide.mjs', 'pyodide.asm.mjs', 'pyodide.asm.wasm', 'python_stdlib.zip', 'pyodide-lock.json'];
const TFJS_WASM_DIR = join(nm, '@tensorflow', 'tfjs-backend-wasm', 'dist');
// The threaded build's emscripten glue and pthread worker script, served from the app's origin
// (src/platform/wasm-threaded.ts explains why tfjs's own Blob URLs are not used).
const TFJS_WASM_OUT = join(nm, '@tensorflow', 'tfjs-backend-wasm', 'wasm-out');
const TFJS_THREAD_GLUE = 'tfjs-backend-wasm-threaded-simd.js';
const TFJS_THREAD_WORKER = 'tfjs-backend-wasm-threaded-simd.worker.js';

const jobs = [
  ...PYODIDE_FILES.map((f) => ({ from: join(nm, 'pyodide', f), to: join(root, 'public', 'pyodide', f) })),
  ...readdirSync(TFJS_WASM_DIR)
    .filter((f) => f.endsWith('.wasm'))
    .map((f) => ({ from: join(TFJS_WASM_DIR, f), to: join(root, 'public', 'tfjs-wasm', f) })),
  { from: join(TFJS_WASM_OUT, TFJS_THREAD_GLUE), to: join(root, 'public', 'tfjs-wasm', TFJS_THREAD_GLUE) },
];

let copied = 0;
let bytes = 0;
for (const { from, to } of jobs) {
  if (!existsSync(from)) {
    console.error(`copy-runtime: ${from} is missing. Run \`npm install\` (or \`npm ci\`) first.`);
    process.exit(1);
  }
  const src = statSync(from);
  if (existsSync(to)) {
    const dst = statSync(to);
    if (dst.size === src.size && dst.mtimeMs >= src.mtimeMs) continue;
  }
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
  copied++;
  bytes += src.size;
}
// The pthread worker ships as a CommonJS module exporting its source as a template string (tfjs turns
// it into a Blob URL); write that source as a plain script. Its string literals hold "\n" escapes that
// the template literal turned into newlines: put the escapes back, as tfjs does (backend_wasm.ts).
{
  const to = join(root, 'public', 'tfjs-wasm', TFJS_THREAD_WORKER);
  const source = createRequire(import.meta.url)(join(TFJS_WASM_OUT, TFJS_THREAD_WORKER)).wasmWorkerContents.replace(
    /\n/g,
    '\\n',
  );
  if (!existsSync(to) || readFileSync(to, 'utf8') !== source) {
    mkdirSync(dirname(to), { recursive: true });
    writeFileSync(to, source);
    copied++;
    bytes += source.length;
  }
}
console.log(
  `copy-runtime: ${jobs.length + 1} runtime files in public/ (${copied} copied, ${(bytes / 1e6).toFixed(1)} MB)`,
);
