import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const monacoEsm = fileURLToPath(new URL('./node_modules/monaco-editor/esm/', import.meta.url));

/**
 * Extra origins the page may connect to, on top of the app's own origin and loopback.
 * The Reflect panel can call a user-configured OpenAI-compatible endpoint; loopback
 * (a local llama.cpp / vLLM / Ollama server) is allowed by default, anything else must be
 * named here at serve/build time, e.g. `RC_CONNECT_SRC="https://api.example.com" npm start`.
 * Why not `connect-src *`: Python code runs in a worker of this page, and the CSP is what
 * keeps it from reaching the network (PLATFORM.md, "Danger").
 */
const extraConnectSrc = (process.env.RC_CONNECT_SRC ?? '').split(/[\s,]+/).filter(Boolean);

/** Sent by the dev server and `vite preview`; a static host must send the same headers. */
export const securityHeaders: Record<string, string> = {
  // Cross-origin isolation: SharedArrayBuffer for the Pyodide interrupt buffer and threaded wasm.
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  // No 'unsafe-eval': Pyodide and Monaco run without it, and it blocks Python from rebuilding JS.
  'Content-Security-Policy': [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "worker-src 'self' blob:",
    "style-src 'self' 'unsafe-inline'",
    "font-src 'self' data:",
    "img-src 'self' data:",
    ['connect-src', "'self'", 'http://127.0.0.1:*', 'http://localhost:*', ...extraConnectSrc].join(' '),
  ].join('; '),
};

export default defineConfig({
  // Runtime files (Pyodide, tfjs wasm) are fetched at `${BASE_URL}pyodide/` and `${BASE_URL}tfjs-wasm/`.
  base: '/',
  resolve: {
    // monaco-editor's export map only exposes `*.js`; its CSS files (codicons) are reached through
    // this alias: `monaco-editor/esm/vs/...` → node_modules/monaco-editor/esm/vs/...
    alias: [{ find: /^monaco-editor\/esm\//, replacement: monacoEsm }],
  },
  server: { headers: securityHeaders },
  preview: { headers: securityHeaders },
  // Worker bundles keep their license comments (tfjs's Apache headers): build.license below
  // lists only what the main-thread bundle contains.
  worker: { format: 'es' },
  // Pyodide is loaded at run time from public/pyodide (copied by scripts/copy-runtime.mjs), never bundled.
  // The workers' dependencies are listed so that the dev server pre-bundles them on start instead
  // of discovering them on first use and reloading the page.
  optimizeDeps: {
    exclude: ['pyodide'],
    include: ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-webgpu', 'comlink', 'idb'],
  },
  build: {
    target: 'es2022',
    // tfjs (with the webgpu backend) lives only in worker bundles and Monaco is a lazy chunk of
    // the Reflect panel; both are ~1-3 MB minified, which is expected, not a mistake to warn about.
    chunkSizeWarningLimit: 4000,
    // Main-thread licenses are collected once in dist/.vite/license.md instead of inline comments.
    license: true,
    rolldownOptions: { output: { comments: { legal: false } } },
  },
});
