/**
 * Error class names survive the production build (src/core/errors.ts gives each class a literal name; a minifier
 * renames the classes themselves). People read the message, without a class-name prefix; the class name is on the
 * element (data-error-name) for code and tests. One error is thrown on the page, one inside the trainer worker and
 * carried across comlink.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAllLocal, openApp, type OpenApp } from './harness.ts';

let app: OpenApp;
beforeAll(async () => {
  app = await openApp({ query: '?backend=wasm' });
}, 120_000);
afterAll(async () => {
  await app?.close();
});

describe('named errors in the production build', () => {
  it('a bad run config (page side) is a ConfigError; its message has no class-name prefix', async () => {
    const { page } = app;
    await page.click('[role=tab]:has-text("Train")');
    const editor = page.locator('[data-testid=config-json]');
    await editor.fill('{"train": {"lr": -1}}');
    const error = page.locator('[data-testid=config-error]');
    await expect.poll(() => error.getAttribute('data-error-name')).toBe('ConfigError');
    const text = (await error.textContent()) ?? '';
    expect(text).toMatch(/lr/);
    expect(text).not.toMatch(/^\s*\w*(Error|Exception)\b|^\s*[a-z]\w{0,2}:/);
  });

  it('a bad dataset (imported in the trainer worker) is a DataFormatError across the worker boundary', async () => {
    const { page } = app;
    await page.setInputFiles('[data-testid=dataset-import]', {
      name: 'broken.jsonl',
      mimeType: 'application/jsonl',
      buffer: Buffer.from('{"messages": 42}\nnot json\n'),
    });
    const notice = page.locator('[data-testid=dataset-notice]');
    await expect.poll(() => notice.getAttribute('data-error-name'), { timeout: 60_000 }).toBe('DataFormatError');
    const text = (await page.locator('[data-testid=dataset-notice-text]').textContent()) ?? '';
    expect(text).toMatch(/broken\.jsonl/);
    expect(text).not.toMatch(/DataFormatError|\b[a-z]\d{1,2}:/);
    expectAllLocal(app.requests);
  }, 90_000);
});
