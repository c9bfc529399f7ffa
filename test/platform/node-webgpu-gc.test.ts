/**
 * Regression: garbage collection after the webgpu backend was disposed must not kill the process. Dawn's finalizer
 * used to tear its instance down under tfjs's live device (abort "The futex facility returned an unexpected error
 * code", std::system_error or SIGSEGV) — it took down a vitest worker in CI. src/platform/node-webgpu.ts keeps the
 * instance reachable. In a child process (webgpu-gc-child.ts) so that a crash is a failed assertion, not a lost worker.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../browser/harness.ts';
import { nodeWebGPUAvailable, skipNote } from '../setup/webgpu.ts';

const gpu = await nodeWebGPUAvailable();

describe.skipIf(!gpu.available)(`webgpu in Node survives gc after dispose ${skipNote(gpu)}`, () => {
  it('three runs: each exits with code 0 after gc, having read the device’s limits', () => {
    for (let run = 0; run < 3; run++) {
      const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', 'test/platform/webgpu-gc-child.ts'], {
        cwd: repoRoot,
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect({ run, status: r.status, signal: r.signal, err: r.stderr.slice(-400) }).toEqual({
        run,
        status: 0,
        signal: null,
        err: expect.any(String),
      });
      expect(JSON.parse(r.stdout.trim().split('\n').pop()!)).toEqual({ backend: 'webgpu', limitsRead: true });
    }
  });
});
