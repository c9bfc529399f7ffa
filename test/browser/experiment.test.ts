/**
 * The Experiment view in real Chromium (wasm): "Run the demo" trains ReflectionCoder (smoke preset) on the
 * built-in data in the experiment worker, checks its answers in the page's Pyodide, and shows the table with the
 * untrained model and the reference solutions; after a reload the table comes back from IndexedDB.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAllLocal, openApp, screenshot, type OpenApp } from './harness.ts';

const READY = 'html[data-ready="true"]';

describe('Experiment view (wasm)', () => {
  let app: OpenApp;
  beforeAll(async () => {
    app = await openApp({ query: '?backend=wasm#experiment' });
    await app.page.waitForSelector(READY, { timeout: 120_000 }).catch((e: Error) => {
      throw new Error(`${e.message}; page errors: ${app.errors.join(' | ').slice(0, 1500)}`);
    });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('runs the demo and shows pass@1 next to the untrained model and the reference', async () => {
    const { page } = app;
    await page.locator('[data-testid=exp-demo]').click();
    const table = page.locator('[data-testid=exp-table]');
    await table.waitFor({ timeout: 840_000 });
    const variants = await table
      .locator('tbody tr')
      .evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.variant));
    expect(variants).toEqual(['reflectioncoder', 'untrained', 'reference']);
    const ref = await table.locator('tr[data-variant=reference] td').allTextContents();
    expect(ref.slice(0, 2)).toEqual(['100.0', '100.0']);
    const rc = await table.locator('tr[data-variant=reflectioncoder] td').allTextContents();
    expect(Number(rc[0])).toBeGreaterThanOrEqual(0);
    expect(Number(rc[2])).toBeGreaterThan(0); // validation loss
    expect(await page.locator('[data-testid=exp-status]').textContent()).toMatch(/Done in/);
    expect(await page.locator('svg.exp-curves polyline').count()).toBeGreaterThan(0);
    await screenshot(page, 'experiment-demo');
    expectAllLocal(app.requests);

    await page.reload({ waitUntil: 'load' });
    await page.waitForSelector(READY, { timeout: 120_000 });
    await expect.poll(() => page.locator('[data-testid=exp-table] tbody tr').count(), { timeout: 30_000 }).toBe(3);
    expect(await page.locator('[data-testid=exp-status]').textContent()).toMatch(/Saved results from/);
  }, 900_000);
});
