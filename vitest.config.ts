import { defineConfig } from 'vitest/config';

// Quiet output: a test prints only when it fails (`--silent=false` shows every test's console, e.g. the
// figures the browser tests measure), and tfjs's "install the node backend" banner is dropped everywhere.
const quiet = {
  silent: 'passed-only' as const,
  onConsoleLog: (log: string) =>
    !/install our node\s+backend|looks like you are running TensorFlow\.js in Node/.test(log),
};

// Two projects: `unit` (Node, pure core + services, a few WebGPU-on-SwiftShader tests)
// and `browser` (drives the built page in Debian's Chromium through playwright-core).
export default defineConfig({
  test: {
    ...quiet,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/browser/**', 'node_modules/**'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 120_000,
          pool: 'forks',
        },
      },
      {
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          environment: 'node',
          testTimeout: 180_000,
          hookTimeout: 300_000,
          pool: 'forks',
          fileParallelism: false,
        },
      },
    ],
  },
});
