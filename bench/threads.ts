/**
 * Threaded wasm in Chromium: training tokens/s of the built page with 1 wasm thread and with every
 * core (navigator.hardwareConcurrency), same build, same run. Two pages (?threads=1 and the
 * default) train the smoke preset on the built-in demo data through the Train panel, alternating
 * runs; each page's first run is a warm-up. Reports each side's median and best run and the ratio
 * of medians. Numbers only, no assertions.
 */
import type { Page } from 'playwright-core';
import { benchDist } from './build.ts';
import { median } from './timing.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const STEPS = 3;
const CONFIG = JSON.stringify({ preset: 'smoke', train: { maxSteps: STEPS, seed: 1 }, checkpointEvery: 0 });

async function trainOnce(page: Page): Promise<number> {
  await page.locator('[data-testid=config-json]').fill(CONFIG);
  await page.click('[data-testid=train-start]');
  const state = page.locator('[data-testid=train-state]');
  await page.waitForFunction(
    () => /^(finished|failed|stopped)$/.test(document.querySelector('[data-testid=train-state]')?.textContent ?? ''),
    null,
    { timeout: 600_000 },
  );
  const message = (await page.locator('[data-testid=train-message]').textContent()) ?? '';
  const m = /\((\d+) tok\/s on wasm\)/.exec(message);
  if (!m) throw new Error(`run did not finish on wasm (state ${await state.textContent()}): ${message}`);
  return Number(m[1]);
}

export async function run(): Promise<object> {
  benchDist();
  const { openApp } = await import('../test/browser/harness.ts');
  const sides = [
    { name: 'one thread', query: '?backend=wasm&threads=1' },
    { name: 'all threads', query: '?backend=wasm' },
  ];
  const apps = [];
  try {
    for (const s of sides) {
      const app = await openApp({ query: s.query });
      await app.page.waitForSelector('html[data-ready="true"]', { timeout: 120_000 });
      apps.push(app);
    }
    const threads = await Promise.all(
      apps.map((a) => a.page.locator('[data-testid=status-backend]').getAttribute('data-threads')),
    );
    const runs: number[][] = sides.map(() => []);
    for (const a of apps) await trainOnce(a.page); // warm-up: kernels, wasm memory growth, tokenizer cache
    for (let r = 0; r < ROUNDS; r++) {
      // Alternate the order each round so a slow spell on the shared machine hits both sides.
      const order = r % 2 ? [1, 0] : [0, 1];
      for (const i of order) runs[i].push(await trainOnce(apps[i].page));
    }
    const stats = sides.map((s, i) => ({
      side: s.name,
      threads: Number(threads[i]),
      medianTokensPerSec: median(runs[i]),
      bestTokensPerSec: Math.max(...runs[i]),
      runs: runs[i],
    }));
    return {
      name: 'threads',
      when: new Date().toISOString(),
      what: `smoke preset, ${STEPS} steps per run, built-in demo data, Train panel in headless Chromium, ${ROUNDS} alternating rounds`,
      hardwareConcurrency: await apps[1].page.evaluate(() => navigator.hardwareConcurrency),
      results: stats,
      speedupMedian: +(stats[1].medianTokensPerSec / stats[0].medianTokensPerSec).toFixed(2),
      speedupBest: +(stats[1].bestTokensPerSec / stats[0].bestTokensPerSec).toFixed(2),
    };
  } finally {
    for (const a of apps) await a.close();
  }
}
