/** A fresh clone's README and docs/ link only to files that exist in the repository (or to web addresses). */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..', '..');

function links(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8').replace(/```[\s\S]*?```/g, '');
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]);
}

describe('documentation links', () => {
  const files = [
    'README.md',
    ...readdirSync(join(root, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`),
  ];
  for (const file of files) {
    it(`${file}: every relative link resolves inside the repository`, () => {
      const missing = links(file)
        .filter((l) => !/^[a-z]+:/i.test(l) && !l.startsWith('#'))
        .map((l) => join(dirname(file), l.split('#')[0]))
        .filter((p) => !existsSync(join(root, p)));
      expect(missing).toEqual([]);
    });
  }

  it('README names no document outside the repository (METHOD.md / PLATFORM.md only as docs/ links)', () => {
    const text = readFileSync(join(root, 'README.md'), 'utf8');
    expect(text.match(/(?<!docs\/)(?:METHOD|PLATFORM|DESIGN)\.md/g) ?? []).toEqual([]);
  });
});
