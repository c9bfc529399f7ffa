/**
 * The app shell in real Chromium: three panels, keyboard tabs, cross-origin isolation, the status
 * bar, backend selection inside a worker (WebGPU on SwiftShader and wasm) checked against the cpu
 * backend, the offline Pyodide runtime, and no request leaving 127.0.0.1.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAllLocal, openApp, screenshot, type OpenApp } from './harness.ts';

const READY = 'html[data-ready="true"]';

async function backendCheck(app: OpenApp): Promise<{ backend: string; maxAbsDiff: number }> {
  const { page } = app;
  await page.click('#backend-check');
  const msg = page.locator('[data-testid=header-notice-text]');
  await expect.poll(() => msg.textContent(), { timeout: 120_000 }).toMatch(/matmul .* cpu \(max \|diff\|/);
  const text = (await msg.textContent()) ?? '';
  const m = /^(\w+): 256×256 matmul (?:matches|DIFFERS from) cpu \(max \|diff\| ([0-9.e+-]+)\)/.exec(text);
  if (!m) throw new Error(`unexpected check message: ${text}`);
  return { backend: m[1], maxAbsDiff: Number(m[2]) };
}

describe('app shell (auto backend, 1280×800)', () => {
  let app: OpenApp;
  beforeAll(async () => {
    app = await openApp();
    await app.page.waitForSelector(READY, { timeout: 120_000 });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('renders the tabs whose panels mount with content, and is cross-origin isolated', async () => {
    const { page } = app;
    const tabs = page.getByRole('tab');
    expect(await tabs.allTextContents()).toEqual(['Train', 'Reflect', 'Evaluate', 'Experiment']);
    expect(await page.getByRole('tab', { name: 'Train' }).getAttribute('aria-selected')).toBe('true');
    // Each panel mounts when first shown and then has content (its empty state or its tools).
    for (const name of ['Reflect', 'Evaluate', 'Experiment', 'Train']) {
      await page.getByRole('tab', { name }).click();
      const panel = page.locator(`#panel-${name.toLowerCase()}`);
      expect(await panel.isVisible()).toBe(true);
      await expect.poll(() => panel.evaluate((el) => el.childElementCount)).toBeGreaterThan(0);
    }
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    const readyMs = await page.evaluate(() => window.__appReadyMs ?? null);
    expect(readyMs).toBeGreaterThan(0);
    console.log(`time to interactive (navigation start → panels + backend shown): ${readyMs!.toFixed(0)} ms`);
  });

  it('shows backend, adapter and reason, Python state and storage in the status bar', async () => {
    const { page } = app;
    const backend = await page.locator('[data-testid=status-backend]').getAttribute('data-backend');
    const reason = (await page.locator('[data-testid=status-reason]').textContent()) ?? '';
    expect(['webgpu', 'wasm', 'cpu']).toContain(backend);
    expect(reason).toMatch(/^.+ · auto: /);
    // The rule: a software (fallback) adapter is never chosen by `auto`.
    if (/swiftshader|fallback|no WebGPU adapter/i.test(reason)) expect(backend).toBe('wasm');
    expect(await page.locator('[data-testid=status-pyodide]').textContent()).toBe('not started');
    await expect.poll(() => page.locator('[data-testid=status-storage]').textContent()).toMatch(/ of \d/);
    await screenshot(page, 'shell-1280x800');
  });

  it('switches tabs with the keyboard (arrows, Home/End, Tab into the panel)', async () => {
    const { page } = app;
    const selected = () => page.locator('[role=tab][aria-selected=true]').textContent();
    await page.focus('#tab-train');
    await page.keyboard.press('ArrowRight');
    expect(await selected()).toBe('Reflect');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('tab-reflect');
    expect(await page.locator('#panel-reflect').isVisible()).toBe(true);
    expect(await page.locator('#panel-train').isVisible()).toBe(false);
    await page.keyboard.press('ArrowRight');
    expect(await selected()).toBe('Evaluate');
    await page.keyboard.press('ArrowRight');
    expect(await selected()).toBe('Experiment');
    await page.keyboard.press('ArrowRight'); // wraps around
    expect(await selected()).toBe('Train');
    await page.keyboard.press('End');
    expect(await selected()).toBe('Experiment');
    await page.keyboard.press('Home');
    expect(await selected()).toBe('Train');
    await page.keyboard.press('ArrowLeft');
    expect(await selected()).toBe('Experiment');
    await page.keyboard.press('ArrowLeft');
    expect(await selected()).toBe('Evaluate');
    expect(page.url()).toMatch(/#evaluate$/);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('panel-evaluate');
  });

  it('serves the Pyodide runtime from its own origin (not the SPA fallback)', async () => {
    const { page } = app;
    const lock = await page.evaluate(async () => {
      const r = await fetch('pyodide/pyodide-lock.json');
      return { type: r.headers.get('content-type'), body: await r.text() };
    });
    expect(lock.type).toMatch(/json/);
    const parsed = JSON.parse(lock.body) as { info?: { python?: string }; packages?: object };
    expect(parsed.info?.python).toMatch(/^3\.\d+/);
    expect(typeof parsed.packages).toBe('object');
    const wasm = await page.evaluate(async () => {
      const r = await fetch('pyodide/pyodide.asm.wasm');
      const bytes = new Uint8Array(await r.arrayBuffer());
      return {
        ok: r.ok,
        type: r.headers.get('content-type'),
        magic: Array.from(bytes.slice(0, 4)),
        size: bytes.length,
      };
    });
    expect(wasm.ok).toBe(true);
    expect(wasm.type).toBe('application/wasm');
    expect(wasm.magic).toEqual([0x00, 0x61, 0x73, 0x6d]); // "\0asm"
    expect(wasm.size).toBeGreaterThan(1_000_000);
  });

  it('CSP: a loopback endpoint on another port is reachable, any other host is refused before the network', async () => {
    const { page } = app;
    // A stand-in for a local OpenAI-compatible server (README, "connect-src and model endpoints").
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
      res.end('{"ok":true}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const local = await page.evaluate(async (u) => (await fetch(u)).json(), `http://127.0.0.1:${port}/v1/models`);
      expect(local).toEqual({ ok: true });
      const before = app.requests.length;
      const remote = await page.evaluate(async () => {
        try {
          await fetch('http://203.0.113.7/v1/models'); // TEST-NET-3: never routable
          return 'fetched';
        } catch (e) {
          return (e as Error).name;
        }
      });
      expect(remote).toBe('TypeError');
      expect(app.requests.slice(before).some((u) => u.includes('203.0.113.7'))).toBe(false);
    } finally {
      server.close();
    }
    // The refusal is logged as a CSP violation; that is the expected one.
    const csp = app.errors.filter((e) => e.includes('203.0.113.7'));
    expect(csp.length).toBeGreaterThan(0);
    app.errors.splice(0, app.errors.length, ...app.errors.filter((e) => !e.includes('203.0.113.7')));
  });

  it('renders on a narrow (400px) window', async () => {
    const { page } = app;
    await page.setViewportSize({ width: 400, height: 800 });
    await page.getByRole('tab', { name: 'Train' }).click();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'shell-400-narrow');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('made no request outside 127.0.0.1 and logged no errors', () => {
    expectAllLocal(app.requests);
    expect(app.errors).toEqual([]);
  });
});

describe('backend selection inside the probe worker', () => {
  it('?backend=<unknown>: ignored with a message naming the allowed values', async () => {
    const app = await openApp({ query: '?backend=tpu' });
    try {
      const { page } = app;
      await page.waitForSelector(READY, { timeout: 120_000 });
      expect(await page.locator('[data-testid=header-notice-text]').textContent()).toBe(
        'The address asks for ?backend=tpu, which this app does not know; it was ignored. Choose one of auto, webgpu, wasm, cpu.',
      );
      // Dismissable: the message goes, and the status bar never held it.
      await page.getByRole('button', { name: 'Dismiss this message' }).click();
      expect(await page.locator('[data-testid=header-notice]').isVisible()).toBe(false);
      expect(await page.locator('#backend-select').inputValue()).toBe('auto');
      expect(await page.locator('[data-testid=status-reason]').textContent()).toMatch(/ · auto: /);
    } finally {
      await app.close();
    }
  });

  it('?backend=webgpu: finds an adapter in a worker and its matmul matches cpu', async () => {
    const app = await openApp({ query: '?backend=webgpu' });
    try {
      const { page } = app;
      await page.waitForSelector(READY, { timeout: 120_000 });
      expect(await page.locator('[data-testid=status-backend]').getAttribute('data-backend')).toBe('webgpu');
      expect(await page.locator('[data-testid=status-reason]').textContent()).toMatch(/webgpu requested/);
      expect(await page.locator('#backend-select').inputValue()).toBe('webgpu');
      const r = await backendCheck(app);
      console.log(`webgpu in a worker: 256×256 matmul max |diff| vs cpu = ${r.maxAbsDiff}`);
      expect(r.backend).toBe('webgpu');
      expect(r.maxAbsDiff).toBeLessThan(1e-3);
      expectAllLocal(app.requests);
      expect(app.errors).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it('?backend=wasm: loads the same-origin wasm binary from a worker; the setting persists', async () => {
    const app = await openApp({ query: '?backend=wasm' });
    try {
      const { page } = app;
      await page.waitForSelector(READY, { timeout: 120_000 });
      expect(await page.locator('[data-testid=status-backend]').getAttribute('data-backend')).toBe('wasm');
      const r = await backendCheck(app);
      expect(r.backend).toBe('wasm');
      expect(r.maxAbsDiff).toBeLessThan(1e-3);
      // Only the worker fetches this file: seeing it proves worker requests are recorded.
      expect(app.requests.some((u) => /\/tfjs-wasm\/tfjs-backend-wasm[\w-]*\.wasm$/.test(u))).toBe(true);

      // The settings control: choose cpu, the probe restarts on it, the choice survives a reload.
      await page.selectOption('#backend-select', 'cpu');
      await expect.poll(() => page.locator('[data-testid=status-backend]').getAttribute('data-backend')).toBe('cpu');
      expect(page.url()).toContain('backend=cpu');
      await page.goto(app.baseURL);
      await page.waitForSelector(READY, { timeout: 120_000 });
      expect(await page.locator('#backend-select').inputValue()).toBe('cpu');
      expect(await page.locator('[data-testid=status-backend]').getAttribute('data-backend')).toBe('cpu');
      expectAllLocal(app.requests);
      expect(app.errors).toEqual([]);
    } finally {
      await app.close();
    }
  });
});
