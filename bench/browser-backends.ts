/**
 * tfjs in a Chromium worker, per backend: the header's "Check" (a seeded 256×256 matmul in the
 * probe worker, compared with cpu) run once cold (kernel/shader compilation) and then warm.
 * Figures: ms and GFLOP/s of the active backend, and max |diff| against cpu.
 */
import { benchDist } from './build.ts';
import { median } from './timing.ts';

const N = 256;
const WARM_RUNS = 5;

export async function run(): Promise<object> {
  benchDist();
  const { openApp } = await import('../test/browser/harness.ts');
  const results: object[] = [];
  for (const backend of ['wasm', 'cpu', 'webgpu']) {
    const app = await openApp({ query: `?backend=${backend}` });
    try {
      const { page } = app;
      await page.waitForSelector('html[data-ready="true"]', { timeout: 120_000 });
      const chosen = await page.locator('[data-testid=status-backend]').getAttribute('data-backend');
      const check = async () => {
        await page.evaluate(() => {
          const m = document.querySelector('[data-testid=header-notice-text]');
          if (m) m.textContent = '';
        });
        await page.click('#backend-check');
        await page.waitForFunction(
          () =>
            /matmul .* cpu \(max/.test(document.querySelector('[data-testid=header-notice-text]')?.textContent ?? ''),
          null,
          { timeout: 120_000 },
        );
        const text = (await page.locator('[data-testid=header-notice-text]').textContent()) ?? '';
        const m = /max \|diff\| ([0-9.e+-]+)\) in ([\d.]+) ms \(cpu ([\d.]+) ms\)/.exec(text);
        if (!m) throw new Error(`unexpected check message: ${text}`);
        return { maxAbsDiff: Number(m[1]), ms: Number(m[2]), cpuMs: Number(m[3]) };
      };
      const cold = await check();
      const warm: { maxAbsDiff: number; ms: number; cpuMs: number }[] = [];
      for (let i = 0; i < WARM_RUNS; i++) warm.push(await check());
      const warmMs = median(warm.map((w) => w.ms));
      results.push({
        requested: backend,
        backend: chosen,
        coldMs: cold.ms,
        warmMedianMs: warmMs,
        // the status bar shows 0.1 ms resolution
        gflops: warmMs > 0 ? +((2 * N ** 3) / (warmMs * 1e6)).toFixed(2) : null,
        maxAbsDiff: Math.max(cold.maxAbsDiff, ...warm.map((w) => w.maxAbsDiff)),
      });
    } finally {
      await app.close();
    }
  }
  return { name: 'browser-backends', when: new Date().toISOString(), size: N, results };
}
