/** CLI output is for people: no tfjs "install the node backend" banner, on any backend (cpu shows it by default). */
import { describe, expect, it } from 'vitest';
import { cli } from './run-cli.ts';

describe('quiet CLI', () => {
  it('backends: runs cpu, wasm and webgpu without the tfjs banner', async () => {
    const r = await cli(['backends']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/cpu .* wasm /s);
    expect(`${r.stdout}\n${r.stderr}`).not.toMatch(/node backend|tfjs-node|Hi, looks like/i);
  }, 120_000);
});
