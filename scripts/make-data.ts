/**
 * `npm run make-data [-- --out <dir>]`: regenerates the built-in experiment data (public/demo/) from the task
 * family and the reflection loop — deterministic, so the shipped files are reproduced byte for byte.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createNodePython } from '../src/cli/python-node.ts';
import { buildDemoData } from '../src/services/experiment/demo-data.ts';

const outIdx = process.argv.indexOf('--out');
const out = outIdx > 0 ? process.argv[outIdx + 1]! : path.join(import.meta.dirname, '..', 'public', 'demo');
const python = createNodePython();
const checker = createNodePython({ pristine: true, graceMs: 1000 });
try {
  await python.start();
  await checker.start();
  const t0 = performance.now();
  const data = await buildDemoData({
    python,
    checker,
    onProgress: (d, n) => {
      if (d % 20 === 0 || d === n) process.stderr.write(`reflection records: ${d}/${n}\n`);
    },
  });
  mkdirSync(out, { recursive: true });
  for (const [name, text] of Object.entries(data.files)) writeFileSync(path.join(out, name), text);
  const m = data.manifest;
  console.log(
    `wrote ${out}: ${JSON.stringify(m.counts)}; reflection kept ${m.reflection.kept}/${m.reflection.tasks}, rejected ${JSON.stringify(m.reflection.rejected)}, rounds ${JSON.stringify(m.reflection.rounds)} (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );
} finally {
  python.dispose();
  checker.dispose();
}
