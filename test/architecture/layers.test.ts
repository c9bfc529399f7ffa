import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { describeViolation, importsOf, layerOf, readGraph, violations } from './layers.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

describe('layering of src/ and workers/', () => {
  it('reads a real graph (the checker is not looking at an empty tree)', () => {
    const edges = readGraph(root);
    expect(edges.length).toBeGreaterThan(300);
    expect(edges.some((e) => layerOf(e.from) === 'workers' && layerOf(e.to) === 'services')).toBe(true);
  });

  it('has no import that crosses the layers the wrong way', () => {
    expect(violations(readGraph(root)).map(describeViolation)).toEqual([]);
  });
});

describe('the checker', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'layers-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const write = (path: string, text: string): void => {
    mkdirSync(dirname(join(tmp, path)), { recursive: true });
    writeFileSync(join(tmp, path), text);
  };

  it('finds static, type-only, dynamic, re-export and import-type specifiers', () => {
    const text = [
      "import { a } from './a.ts';",
      "import type { B } from './b.ts';",
      "export { c } from './c.ts';",
      "const d = await import('./d.ts');",
      "let e: import('./e.ts').E;",
      "import f from 'pkg';",
    ].join('\n');
    expect(importsOf('x.ts', text)).toEqual(['./a.ts', './b.ts', './c.ts', './d.ts', './e.ts', 'pkg']);
  });

  it('fails on a deliberately added forbidden import (core → services, ui → platform, core → api type)', () => {
    write('src/services/s.ts', 'export const s = 1;\n');
    write('src/platform/p.ts', 'export const p = 1;\n');
    write('src/api/t.ts', 'export interface T { x: number }\n');
    write('src/core/ok.ts', "import { k } from './k.ts';\nexport const ok = k;\n");
    write('src/core/k.ts', 'export const k = 1;\n');
    write('src/core/bad.ts', "import { s } from '../services/s.ts';\nexport const bad = s;\n");
    write('src/core/typed.ts', "import type { T } from '../api/t.ts';\nexport type U = T;\n");
    write('src/ui/panel.ts', "export async function f() { return (await import('../platform/p.ts')).p; }\n");
    write(
      'src/page/wire.ts',
      "import { s } from '../services/s.ts';\nimport { p } from '../platform/p.ts';\nexport const w = s + p;\n",
    );
    write('workers/w.worker.ts', "import { s } from '../src/services/s.ts';\nexport const w = s;\n");
    const found = violations(readGraph(tmp)).map(describeViolation).sort();
    expect(found).toEqual([
      "src/core/bad.ts (core) → src/services/s.ts (services) via '../services/s.ts'",
      "src/core/typed.ts (core) → src/api/t.ts (api) via '../api/t.ts'",
      "src/ui/panel.ts (ui) → src/platform/p.ts (platform) via '../platform/p.ts'",
    ]);
  });
});
