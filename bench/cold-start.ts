/**
 * Cold time to interactive in Chromium: navigation start → first panel mounted and the status bar
 * showing the backend chosen inside the probe worker (window.__appReadyMs, set by src/ui/main.ts).
 * The first load also starts the browser; the next ones are fresh browser contexts (empty HTTP
 * cache) in the running browser. Per backend preference, because the probe initialises it.
 */
import { benchDist } from './build.ts';
import { median } from './timing.ts';

const RUNS = 5;

export async function run(): Promise<object> {
  benchDist(); // sets RCW_DIST before the harness reads it
  const { openApp } = await import('../test/browser/harness.ts');
  const ready = async (query: string) => {
    const app = await openApp({ query });
    try {
      await app.page.waitForSelector('html[data-ready="true"]', { timeout: 120_000 });
      return await app.page.evaluate(() => (window as Window & { __appReadyMs?: number }).__appReadyMs ?? NaN);
    } finally {
      await app.close();
    }
  };
  // Keeps the server and browser alive between loads (the harness stops them with the last app).
  const keeper = await openApp({ query: '' });
  const firstLoadMs = await keeper.page
    .waitForSelector('html[data-ready="true"]', { timeout: 120_000 })
    .then(() => keeper.page.evaluate(() => (window as Window & { __appReadyMs?: number }).__appReadyMs ?? NaN));
  const byPreference: Record<string, { medianMs: number; runsMs: number[] }> = {};
  try {
    for (const pref of ['auto', 'wasm', 'cpu', 'webgpu']) {
      const runs: number[] = [];
      for (let i = 0; i < RUNS; i++) runs.push(await ready(pref === 'auto' ? '' : `?backend=${pref}`));
      byPreference[pref] = { medianMs: Math.round(median(runs)), runsMs: runs.map(Math.round) };
    }
  } finally {
    await keeper.close();
  }
  return {
    name: 'cold-start',
    when: new Date().toISOString(),
    firstLoadWithBrowserStartMs: Math.round(firstLoadMs),
    freshContext: byPreference,
  };
}
