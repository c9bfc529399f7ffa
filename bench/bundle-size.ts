/**
 * Bundle size of the production build: raw and gzip bytes of every JS and CSS file in assets/,
 * split into what index.html loads up front, the workers, and lazy chunks. The Pyodide runtime
 * and the tfjs wasm binaries are reported separately (they are fetched only when used).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { benchDist } from './build.ts';

interface FileSize {
  file: string;
  kind: 'initial' | 'worker' | 'lazy';
  bytes: number;
  gzip: number;
}

const kB = (n: number) => +(n / 1024).toFixed(1);

function dirBytes(dir: string): number {
  return readdirSync(dir).reduce((sum, f) => sum + statSync(path.join(dir, f)).size, 0);
}

export async function run(): Promise<object> {
  const dist = benchDist();
  const html = readFileSync(path.join(dist, 'index.html'), 'utf8');
  const assets = path.join(dist, 'assets');
  const files: FileSize[] = readdirSync(assets)
    .filter((f) => /\.(js|css)$/.test(f))
    .map((f) => {
      const buf = readFileSync(path.join(assets, f));
      const kind = html.includes(`assets/${f}`) ? 'initial' : /\.worker-/.test(f) ? 'worker' : 'lazy';
      return { file: f, kind, bytes: buf.length, gzip: gzipSync(buf, { level: 9 }).length } satisfies FileSize;
    })
    .sort((a, b) => b.gzip - a.gzip);
  const sum = (k?: FileSize['kind']) => files.filter((f) => !k || f.kind === k).reduce((s, f) => s + f.gzip, 0);
  const result = {
    name: 'bundle-size',
    when: new Date().toISOString(),
    note: 'gzip -9 of dist/assets/*.js + *.css; Pyodide and tfjs wasm binaries excluded (listed raw below)',
    gzipKiB: { total: kB(sum()), initial: kB(sum('initial')), workers: kB(sum('worker')), lazy: kB(sum('lazy')) },
    files: files.map((f) => ({ file: f.file, kind: f.kind, rawKiB: kB(f.bytes), gzipKiB: kB(f.gzip) })),
    runtimeRawKiB: {
      pyodide: kB(dirBytes(path.join(dist, 'pyodide'))),
      tfjsWasm: kB(dirBytes(path.join(dist, 'tfjs-wasm'))),
    },
  };
  return result;
}
