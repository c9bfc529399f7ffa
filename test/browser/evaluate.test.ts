/**
 * The Evaluate panel in Chromium: pick the official HumanEval.jsonl (../shared/data, never bundled) with the
 * file input, check the canonical solutions of the first 5 problems in the sandboxed Pyodide worker, see
 * 5 × "passed" and pass@1 = 1.000, expand a row, find the run again after a reload (IndexedDB); then evaluate
 * a checkpoint (trained here, imported through the Train panel) with generation in the trainer worker; no
 * request off 127.0.0.1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { HAS_HUMANEVAL, HUMANEVAL_PATH, SKIP_HUMANEVAL } from '../core/eval/humaneval-file.ts';
import { expectAllLocal, openApp, screenshot, type OpenApp } from './harness.ts';
import { trainTinyCheckpoint } from './tiny-checkpoint.ts';

let app: OpenApp;
let page: Page;

describe.skipIf(!HAS_HUMANEVAL)(`Evaluate panel (${HAS_HUMANEVAL ? 'HumanEval present' : SKIP_HUMANEVAL})`, () => {
  beforeAll(async () => {
    app = await openApp();
    page = app.page;
    await page.getByRole('tab', { name: 'Evaluate' }).click();
    await page.waitForSelector('[data-testid=eval-file]', { state: 'attached' });
  }, 120_000);
  afterAll(async () => {
    await app?.close();
  });

  it('checks the canonical solutions of the first 5 problems: 5 passed, pass@1 = 1.000', async () => {
    await page.locator('[data-testid=eval-file]').setInputFiles(HUMANEVAL_PATH);
    await expect
      .poll(() => page.locator('[data-testid=eval-file-info]').textContent(), { timeout: 30_000 })
      .toMatch(/HumanEval\.jsonl: 164 problems/);
    await page.locator('[data-testid=eval-limit]').fill('5');
    const t0 = Date.now();
    await page.locator('[data-testid=eval-canonical]').click();
    await page.waitForSelector('[data-testid=eval-passk]', { timeout: 180_000 });
    const secs = (Date.now() - t0) / 1000;
    const verdicts = await page.locator('[data-testid=eval-verdict]').allTextContents();
    expect(verdicts).toEqual(['passed', 'passed', 'passed', 'passed', 'passed']);
    expect(await page.locator('[data-testid=eval-passk]').textContent()).toBe('pass@1 = 1.000');
    expect(await page.locator('[data-testid=eval-row] .eval-expand').allTextContents()).toEqual(
      [0, 1, 2, 3, 4].map((i) => `HumanEval/${i}`),
    );
    // A row expands to the checked completion.
    await page.locator('[data-testid=eval-row] .eval-expand').first().click();
    await expect
      .poll(() => page.locator('.eval-detail:not([hidden]) pre').first().textContent())
      .toContain('for idx, elem in enumerate(numbers):');
    console.log(`browser: canonical check of 5 HumanEval problems in ${secs.toFixed(1)} s (incl. Pyodide cold start)`);
    await screenshot(page, 'evaluate-canonical-5');
  }, 240_000);

  it('lists the saved run after a reload and shows it again', async () => {
    await expect.poll(() => page.locator('[data-testid=eval-saved-run]').count()).toBe(1);
    await page.reload({ waitUntil: 'load' });
    await page.getByRole('tab', { name: 'Evaluate' }).click();
    const run = page.locator('[data-testid=eval-saved-run]');
    await expect.poll(() => run.count(), { timeout: 30_000 }).toBe(1);
    expect(await run.textContent()).toMatch(/canonical solutions on HumanEval\.jsonl: pass@1 = 1\.000 \(5\/5\)/);
    await run.getByRole('button', { name: 'Show' }).click();
    await expect.poll(() => page.locator('[data-testid=eval-verdict]').count()).toBe(5);
    expect(await page.locator('[data-testid=eval-passk]').textContent()).toBe('pass@1 = 1.000');
  }, 120_000);

  it('evaluates a trained checkpoint: the trainer worker generates, Pyodide checks, pass@1 is reported', async () => {
    // A 2-step tiny run trained here in Node, imported through the Train panel like a user's exported checkpoint.
    const files = await trainTinyCheckpoint();
    await page.getByRole('tab', { name: 'Train' }).click();
    await page.setInputFiles('[data-testid=checkpoint-import]', [
      { name: 'tiny-step2.safetensors', mimeType: 'application/octet-stream', buffer: Buffer.from(files.safetensors) },
      { name: 'tiny-step2.json', mimeType: 'application/json', buffer: Buffer.from(files.json) },
    ]);
    await expect.poll(() => page.locator('[data-testid=checkpoint-row]').count(), { timeout: 120_000 }).toBe(1);
    await page.getByRole('tab', { name: 'Evaluate' }).click();
    // The file picked in the first test is remembered (IndexedDB, sha-256 checked) across the reload.
    await expect
      .poll(() => page.locator('[data-testid=eval-file-info]').textContent(), { timeout: 30_000 })
      .toMatch(/164 problems.*remembered/);
    // No refresh button: the list follows the Train panel's import by itself.
    await expect
      .poll(() => page.locator('[data-testid=eval-checkpoint] option').first().textContent())
      .toMatch(/step 2\/2/);
    await page.locator('[data-testid=eval-limit]').fill('2');
    await page.locator('[data-testid=eval-max-new]').fill('12');
    const t0 = Date.now();
    await page.locator('[data-testid=eval-run]').click();
    await page.waitForSelector('[data-testid=eval-passk]', { timeout: 240_000 });
    const verdicts = await page.locator('[data-testid=eval-verdict]').allTextContents();
    expect(verdicts).toHaveLength(2);
    for (const v of verdicts) expect(v).toMatch(/^(passed|timed out|failed: .*)$/s);
    expect(await page.locator('[data-testid=eval-passk]').textContent()).toMatch(/^pass@1 = \d\.\d{3}$/);
    // Generation really ran in the worker: the Generate column has a time for each sample.
    const gen = await page.locator('[data-testid=eval-row] td:nth-child(5)').allTextContents();
    expect(gen.every((g) => /^\d+\.\d s$/.test(g))).toBe(true);
    console.log(
      `browser: 2 HumanEval problems generated (12 tokens max) + checked in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${verdicts.join(' | ')}`,
    );
    await screenshot(page, 'evaluate-model-2');
    expect(app.errors.filter((e) => !/favicon/.test(e))).toEqual([]);
  }, 360_000);

  it('made no request off 127.0.0.1', () => {
    expectAllLocal(app.requests);
  });
});
