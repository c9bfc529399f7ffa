/**
 * Data-parallel training in Chromium (docs/performance.md, "Data-parallel workers"): with two wasm
 * threads the trainer worker starts a replica worker from this origin, both compute shards of every
 * step, and the run reports 2 data-parallel workers; with ?threads=1 it trains alone. Both pages train
 * the same config on the same data, and their final losses agree (the same steps, computed two ways).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { expectAllLocal, openApp, screenshot, type OpenApp } from './harness.ts';
import { shortRecordsJsonl, tinyConfig } from '../services/trainer/short-records.ts';

const READY = 'html[data-ready="true"]';
const STEPS = 4;
const REPLICA = /\/assets\/replica\.worker-[\w-]+\.js$/;
const apps: OpenApp[] = [];
afterAll(async () => {
  for (const a of apps) await a.close();
});

async function trainOn(query: string): Promise<{ app: OpenApp; message: string; loss: string }> {
  const app = await openApp({ query });
  apps.push(app);
  const { page } = app;
  await page.waitForSelector(READY, { timeout: 120_000 });
  await page.setInputFiles('[data-testid=dataset-import]', {
    name: 'short.jsonl',
    mimeType: 'application/jsonl',
    buffer: Buffer.from(shortRecordsJsonl()),
  });
  await expect.poll(() => page.locator('[data-testid=dataset-list] li').count(), { timeout: 120_000 }).toBe(2);
  await page.locator('[data-testid=dataset-choice][data-id="builtin:demo"]').uncheck();
  await page.selectOption('[data-testid=preset]', 'tiny');
  await page.locator('[data-testid=config-json]').fill(JSON.stringify(tinyConfig({ maxSteps: STEPS, batchSize: 4 })));
  await page.click('[data-testid=train-start]');
  await expect
    .poll(() => page.locator('[data-testid=train-state]').textContent(), { timeout: 180_000 })
    .toBe('finished');
  const message = (await page.locator('[data-testid=train-message]').textContent()) ?? '';
  const step = (await page.locator('[data-testid=train-step]').textContent()) ?? '';
  const loss = /loss (\d+\.\d+)/.exec(step)?.[1] ?? '';
  return { app, message, loss };
}

describe('data-parallel training in the trainer worker (wasm)', () => {
  it('two threads: a replica worker computes half of every step; the losses equal one thread', async () => {
    const two = await trainOn('?backend=wasm&threads=2');
    expect(two.message).toMatch(
      new RegExp(`Run finished after ${STEPS}/${STEPS} steps .*tok/s on wasm · 2 data-parallel workers\\)`),
    );
    expect(two.app.requests.filter((u) => REPLICA.test(u)).length).toBe(1);
    expect(two.app.errors).toEqual([]);
    await screenshot(two.app.page, 'train-data-parallel');
    expectAllLocal(two.app.requests);

    const one = await trainOn('?backend=wasm&threads=1');
    expect(one.message).toMatch(new RegExp(`Run finished after ${STEPS}/${STEPS} steps .*tok/s on wasm\\)`));
    expect(one.app.requests.some((u) => REPLICA.test(u))).toBe(false);
    expect(one.loss).toMatch(/^\d+\.\d{4}$/);
    // Displayed to 4 decimals; the two sums differ only in float order (~1e-6).
    expect(Math.abs(Number(two.loss) - Number(one.loss))).toBeLessThanOrEqual(1e-4);
    expectAllLocal(one.app.requests);
  }, 420_000);
});
