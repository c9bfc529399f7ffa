/**
 * Threaded wasm in Chromium: the probe worker starts tfjs's threaded SIMD build from this origin's
 * files (src/platform/wasm-threaded.ts), XNNPACK runs on navigator.hardwareConcurrency threads by
 * default, ?threads=1 runs the same build on one, the status bar shows the count, and the pthread
 * workers really load (each fetches the glue, under the page's CSP, with no errors).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { openApp, type OpenApp } from './harness.ts';

const READY = 'html[data-ready="true"]';
const GLUE = /\/tfjs-wasm\/tfjs-backend-wasm-threaded-simd\.js$/;
const PTHREAD = /\/tfjs-wasm\/tfjs-backend-wasm-threaded-simd\.worker\.js$/;

async function open(query: string): Promise<OpenApp> {
  const app = await openApp({ query });
  await app.page.waitForSelector(READY, { timeout: 120_000 });
  return app;
}

describe('threaded wasm in the browser', () => {
  const apps: OpenApp[] = [];
  afterAll(async () => {
    for (const a of apps) await a.close();
  });

  it('runs XNNPACK on every core by default, in pthread workers that load', async () => {
    const app = await open('?backend=wasm');
    apps.push(app);
    const { page } = app;
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    const backend = page.locator('[data-testid=status-backend]');
    expect(await backend.getAttribute('data-backend')).toBe('wasm');
    expect(Number(await backend.getAttribute('data-threads'))).toBe(Math.min(cores, 8));
    expect(await backend.textContent()).toBe(`wasm · ${Math.min(cores, 8)} thread${cores > 1 ? 's' : ''}`);
    // emscripten's pool: 8 pthread workers, each importing the glue from this origin.
    expect(app.requests.filter((u) => PTHREAD.test(u)).length).toBe(8);
    expect(app.requests.filter((u) => GLUE.test(u)).length).toBe(8);
    expect(app.errors).toEqual([]);
    // The threaded build computes what cpu computes.
    await page.click('#backend-check');
    await expect
      .poll(() => page.locator('[data-testid=header-notice-text]').textContent(), { timeout: 60_000 })
      .toMatch(/^wasm: 256×256 matmul matches cpu/);
  });

  it('?threads=1 runs the same build on one thread; the Threads setting is saved', async () => {
    const app = await open('?backend=wasm&threads=1');
    apps.push(app);
    const { page } = app;
    const backend = page.locator('[data-testid=status-backend]');
    expect(await backend.getAttribute('data-threads')).toBe('1');
    expect(await backend.textContent()).toBe('wasm · 1 thread');
    expect(app.requests.some((u) => GLUE.test(u))).toBe(true);
    // Choosing 2 in the settings restarts the probe worker on 2 threads and is remembered.
    await page.selectOption('[data-testid=threads-select]', '2');
    await expect.poll(() => backend.getAttribute('data-threads'), { timeout: 60_000 }).toBe('2');
    expect(await page.evaluate(() => localStorage.getItem('rcw.wasmThreads'))).toBe('2');
    expect(new URL(page.url()).searchParams.has('threads')).toBe(false);
  });
});
