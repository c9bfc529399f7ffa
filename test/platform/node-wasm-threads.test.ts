/**
 * Threaded wasm in Node (src/platform/wasm-threaded.ts): RCW_WASM_THREADS=2 starts tfjs's threaded
 * SIMD build from files (no Blob URL) and XNNPACK reports 2 threads; results equal the cpu backend.
 * In a child process (wasm-threads-child.ts), because a process registers the wasm backend once.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../browser/harness.ts';

const CHILD = 'test/platform/wasm-threads-child.ts';

function run(env: Record<string, string>) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', CHILD], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, out: r.stdout.trim().split('\n').pop() ?? '', err: r.stderr };
}

describe('wasm threads in Node', () => {
  it('RCW_WASM_THREADS=2 runs XNNPACK on 2 threads, with the same numbers as cpu', () => {
    const r = run({ RCW_WASM_THREADS: '2' });
    expect(r.status, r.err).toBe(0);
    const o = JSON.parse(r.out) as { threads: number; reason: string; maxDiff: number };
    expect(o.threads).toBe(2);
    expect(o.reason).toBe('wasm requested (SIMD, 2 threads)');
    expect(o.maxDiff).toBeLessThan(1e-4);
  });

  it('an invalid RCW_WASM_THREADS is refused with a message naming it', () => {
    const r = run({ RCW_WASM_THREADS: 'two' });
    expect(r.status).not.toBe(0);
    expect(r.err).toMatch(/RCW_WASM_THREADS must be an integer ≥ 1, found "two"/);
  });
});
