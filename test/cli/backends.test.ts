import { afterEach, describe, expect, it, vi } from 'vitest';
import { backendsCommand } from '../../src/cli/commands/backends.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

async function runCapture(argv: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  const code = await backendsCommand.run(argv);
  return { code, out: lines.join('\n') };
}

describe('cli backends', () => {
  it('--json: cpu and wasm start and agree with cpu', async () => {
    const { code, out } = await runCapture(['--only', 'cpu,wasm', '--size', '32', '--json']);
    expect(code).toBe(0);
    const report = JSON.parse(out) as {
      size: number;
      backends: { backend: string; ok: boolean; maxAbsDiff: number; gflops: number }[];
    };
    expect(report.size).toBe(32);
    expect(report.backends.map((b) => b.backend)).toEqual(['cpu', 'wasm']);
    for (const b of report.backends) {
      expect(b.ok).toBe(true);
      expect(b.maxAbsDiff).toBeLessThan(1e-4);
      expect(b.gflops).toBeGreaterThan(0);
    }
  });

  it('prints a table by default', async () => {
    const { code, out } = await runCapture(['--only', 'cpu', '--size', '8']);
    expect(code).toBe(0);
    expect(out).toMatch(/^tfjs backends in Node, 8×8 matmul vs cpu/);
    expect(out).toMatch(/✓ cpu +max\|diff\| 0\.0e\+0/);
  });

  it('rejects unknown backends and options with a UsageError', async () => {
    await expect(backendsCommand.run(['--only', 'tpu'])).rejects.toMatchObject({
      name: 'UsageError',
      message: expect.stringContaining('found "tpu"'),
    });
    await expect(backendsCommand.run(['--size', '0'])).rejects.toMatchObject({ name: 'UsageError' });
    await expect(backendsCommand.run(['--fast'])).rejects.toMatchObject({ name: 'UsageError' });
  });
});
