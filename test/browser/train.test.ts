/**
 * The Train panel in real Chromium on software WebGPU (?backend=webgpu → SwiftShader): import a
 * short JSONL dataset into IndexedDB, train the tiny preset for a few steps in the trainer worker,
 * watch the plots update, reload mid-run, find the checkpoint (panel + IndexedDB) and resume it to
 * the end. SwiftShader is slow, so: tiny preset, short records, few steps.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAllLocal, openApp, screenshot, type OpenApp } from './harness.ts';
import { shortRecordsJsonl, tinyConfig } from '../services/trainer/short-records.ts';

const READY = 'html[data-ready="true"]';
const STEPS = 6;

async function checkpointsInIndexedDB(app: OpenApp): Promise<{ step: number; totalSteps: number }[]> {
  return app.page.evaluate(
    () =>
      new Promise<{ step: number; totalSteps: number }[]>((resolve, reject) => {
        const req = indexedDB.open('reflectioncoder-train');
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const db = req.result;
          const all = db.transaction('checkpointMeta').objectStore('checkpointMeta').getAll();
          all.onsuccess = () => {
            db.close();
            resolve(
              all.result.map((m: { step: number; totalSteps: number }) => ({ step: m.step, totalSteps: m.totalSteps })),
            );
          };
          all.onerror = () => reject(all.error);
        };
      }),
  );
}

describe('Train panel (software WebGPU)', () => {
  let app: OpenApp;
  beforeAll(async () => {
    app = await openApp({ query: '?backend=webgpu' });
    await app.page.waitForSelector(READY, { timeout: 120_000 });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('trains in the worker, plots live, survives a reload and resumes from its checkpoint', async () => {
    const { page } = app;
    // Opening the page starts no trainer worker: the lists come straight from IndexedDB.
    const backend = page.locator('[data-testid=train-backend]');
    expect(await backend.textContent()).toMatch(/webgpu \(the worker starts with the first run\)/);
    expect(app.requests.some((u) => /trainer\.worker/.test(u))).toBe(false);

    // 1) Import a short JSONL dataset (in the worker; stored in IndexedDB with provenance and counts).
    await page.setInputFiles('[data-testid=dataset-import]', {
      name: 'short.jsonl',
      mimeType: 'application/jsonl',
      buffer: Buffer.from(shortRecordsJsonl()),
    });
    await expect.poll(() => backend.textContent(), { timeout: 120_000 }).toMatch(/^backend: webgpu \(/);
    const rows = page.locator('[data-testid=dataset-list] li');
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(2);
    expect(await rows.nth(1).textContent()).toMatch(
      /short .*6 reflection, 6 generation · short\.jsonl .* sha-256 [0-9a-f]{12}/,
    );
    await page.locator('[data-testid=dataset-choice][data-id="builtin:demo"]').uncheck();

    // 2) A bad config is refused with a message naming the key; then the tiny config.
    const editor = page.locator('[data-testid=config-json]');
    await page.selectOption('[data-testid=preset]', 'tiny');
    await editor.fill('{"preset": "tiny", "train": {"lr": -1}}');
    await expect.poll(() => page.locator('[data-testid=config-error]').textContent()).toMatch(/lr must be a number/);
    await editor.fill(JSON.stringify(tinyConfig({ maxSteps: STEPS, batchSize: 1 }, { checkpointEvery: 2 })));
    expect(await page.locator('[data-testid=config-error]').textContent()).toBe('');

    // 3) Train; the plots receive points; reload as soon as the first checkpoint is listed.
    await page.click('[data-testid=train-start]');
    const plots = page.locator('[data-testid=train-plots]');
    await expect
      .poll(async () => Number(await plots.getAttribute('data-points')), { timeout: 150_000 })
      .toBeGreaterThanOrEqual(1);
    expect(await page.locator('[data-testid=plot-losses] canvas').count()).toBeGreaterThan(0);
    await expect
      .poll(() => page.locator('[data-testid=checkpoint-row]').count(), { timeout: 150_000 })
      .toBeGreaterThanOrEqual(1);
    expect(await page.locator('[data-testid=train-step]').textContent()).toMatch(/step \d\/6 .* tok\/s · ETA/);
    await screenshot(page, 'train-running');

    await page.reload({ waitUntil: 'load' });
    await page.waitForSelector(READY, { timeout: 120_000 });

    // 4) After the reload: the checkpoint is in IndexedDB and listed, with Resume offered.
    const stored = await checkpointsInIndexedDB(app);
    expect(stored.length).toBe(1);
    expect(stored[0]!.totalSteps).toBe(STEPS);
    expect(stored[0]!.step).toBeGreaterThanOrEqual(2);
    expect(stored[0]!.step).toBeLessThan(STEPS);
    await expect.poll(() => page.locator('[data-testid=checkpoint-row]').count(), { timeout: 60_000 }).toBe(1);
    const banner = page.locator('[data-testid=resume-banner]');
    await expect.poll(() => banner.textContent()).toMatch(new RegExp(`stopped at step ${stored[0]!.step} of ${STEPS}`));

    // 5) Resume: the plots restart from the saved history and the run finishes.
    await page.click('[data-testid=resume-latest]');
    const state = page.locator('[data-testid=train-state]');
    await expect.poll(() => state.textContent(), { timeout: 150_000 }).toBe('finished');
    expect(Number(await plots.getAttribute('data-points'))).toBe(STEPS);
    const after = await checkpointsInIndexedDB(app);
    expect(after).toEqual([{ step: STEPS, totalSteps: STEPS }]);
    await screenshot(page, 'train-finished');

    // 6) Export (two downloads: .safetensors + .json), import them back, rename the copy.
    const downloads: { name: string; body: Buffer }[] = [];
    page.on('download', async (d) => {
      const chunks: Buffer[] = [];
      for await (const c of (await d.createReadStream())!) chunks.push(c as Buffer);
      downloads.push({ name: d.suggestedFilename(), body: Buffer.concat(chunks) });
    });
    await page.locator('[data-testid=checkpoint-row] button', { hasText: 'Export' }).click();
    await expect.poll(() => downloads.length, { timeout: 30_000 }).toBe(2);
    expect(downloads.map((d) => d.name).sort()).toEqual([
      expect.stringMatching(/-step6\.json$/),
      expect.stringMatching(/-step6\.safetensors$/),
    ]);
    await page.setInputFiles(
      '[data-testid=checkpoint-import]',
      downloads.map((d) => ({ name: d.name, mimeType: 'application/octet-stream', buffer: d.body })),
    );
    await expect.poll(() => page.locator('[data-testid=checkpoint-row]').count(), { timeout: 60_000 }).toBe(2);
    page.once('dialog', (d) => void d.accept('imported copy'));
    await page.locator('[data-testid=checkpoint-row]').first().locator('button', { hasText: 'Rename' }).click();
    await expect.poll(() => page.locator('[data-testid=checkpoint-name]').allTextContents()).toContain('imported copy');
    expect(await checkpointsInIndexedDB(app)).toHaveLength(2);

    // 7) Load the imported checkpoint and generate with its tokenizer (greedy, stops at <|endofblock|>).
    await page.locator('[data-testid=checkpoint-row]').first().locator('[data-testid=checkpoint-load]').click();
    const message = page.locator('[data-testid=train-message]');
    await expect.poll(() => message.textContent(), { timeout: 60_000 }).toMatch(/^Loaded “imported copy” \(step 6\)/);
    await page.fill('[data-testid=try-prompt]', 'Define add.');
    await page.click('[data-testid=try-generate]');
    await expect.poll(() => page.locator('[data-testid=try-generate]').isEnabled(), { timeout: 120_000 }).toBe(true);
    expect(await message.getAttribute('class')).not.toMatch(/error/);
    expectAllLocal(app.requests);
  });
});
