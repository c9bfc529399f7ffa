/**
 * `npm run bench` runs every benchmark in bench/index.ts; `npm run bench -- <name> [<name>…]` runs
 * some. Each prints its figures and writes bench-results/<name>.json. A failing benchmark is
 * reported and the others still run; the exit code says whether all succeeded.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCHES } from './index.ts';

const outDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'bench-results');

async function main(argv: string[]): Promise<number> {
  const known = Object.keys(BENCHES);
  const names = argv.length ? argv : known;
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length) {
    console.error(`Unknown benchmark ${unknown.join(', ')}; known: ${known.join(', ')}`);
    return 2;
  }
  mkdirSync(outDir, { recursive: true });
  const failed: string[] = [];
  for (const name of names) {
    console.log(`\n━━━ bench ${name}`);
    const t0 = performance.now();
    try {
      const result = await (await BENCHES[name]()).run();
      const text = JSON.stringify(result, null, 2);
      console.log(text);
      writeFileSync(path.join(outDir, `${name}.json`), text + '\n');
      console.log(`(${((performance.now() - t0) / 1000).toFixed(1)} s → bench-results/${name}.json)`);
    } catch (e) {
      failed.push(name);
      console.error(`bench ${name} failed: ${(e as Error).stack ?? e}`);
    }
  }
  if (failed.length) console.error(`\nFailed: ${failed.join(', ')}`);
  return failed.length ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
