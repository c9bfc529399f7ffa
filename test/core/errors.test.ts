import { describe, expect, it } from 'vitest';
import * as errors from '../../src/core/errors.ts';

// The names must survive minification: each class carries its name as a literal, not `new.target.name`.
describe('named errors', () => {
  it('every error class has its own literal name, also when the class binding is renamed', () => {
    for (const [exported, Cls] of Object.entries(errors)) {
      const Renamed = Cls as new (m: string) => Error; // what a minifier leaves: the binding's name is gone
      const e = new Renamed('boom');
      expect(e.name).toBe(exported);
      expect(e.message).toBe('boom');
      expect(e).toBeInstanceOf(Error);
      expect(String(e)).toBe(`${exported}: boom`);
    }
  });

  it('the source gives each class a literal name (no new.target.name)', async () => {
    const { readFile } = await import('node:fs/promises');
    const src = await readFile(new URL('../../src/core/errors.ts', import.meta.url), 'utf8');
    expect(src).not.toMatch(/new\.target\.name/);
    const classes = [...src.matchAll(/export class (\w+) extends/g)].map((m) => m[1]);
    for (const c of classes) expect(src).toContain(`override name = '${c}'`);
  });
});
