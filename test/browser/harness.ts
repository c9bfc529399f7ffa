/**
 * Drives the built app (dist/) in Debian's Chromium through playwright-core.
 *
 * - `vite preview` serves dist/ on 127.0.0.1 (a free port, --strictPort), one server per test file:
 *   the server and the browser are shared by the apps a file opens and stopped when the last closes.
 * - Chromium is launched with our own flag list (PLATFORM.md): Playwright's defaults make the WebGPU
 *   adapter null, and `--enable-unsafe-webgpu` is what gives a (SwiftShader) adapter in headless mode.
 * - Every request URL is recorded, from the page and from its workers (context-level events see both;
 *   the shell test proves it with a request only a worker makes), so tests can assert nothing left
 *   127.0.0.1.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CHROMIUM = '/usr/bin/chromium';
const VITE_BIN = join(repoRoot, 'node_modules', 'vite', 'bin', 'vite.js');
/** The built app to serve: dist/, or RCW_DIST (a separate `vite build --outDir`, so that parallel builds
 *  in a shared checkout do not pull the files from under a running test). */
export const distDir = process.env.RCW_DIST ? resolve(process.env.RCW_DIST) : join(repoRoot, 'dist');

export interface OpenApp {
  page: Page;
  baseURL: string;
  /** Every request URL the page and its workers made, in order. */
  requests: string[];
  /** Console errors, uncaught page errors and failed requests (CSP violations land here too). */
  errors: string[];
  close(): Promise<void>;
}

export interface OpenAppOptions {
  /** Appended to the URL, e.g. '?backend=webgpu' or '?backend=wasm#reflect'. */
  query?: string;
  viewport?: { width: number; height: number };
}

interface Shared {
  server: ChildProcess;
  baseURL: string;
  browser: Browser;
  userDataDir: string;
  open: number;
}
let shared: Promise<Shared> | null = null;

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}

async function waitForHttp(url: string, server: ChildProcess, log: () => string, timeoutMs = 30_000): Promise<void> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if (server.exitCode !== null) throw new Error(`vite preview exited with code ${server.exitCode}:\n${log()}`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`vite preview did not answer on ${url} within ${timeoutMs} ms:\n${log()}`);
}

async function start(): Promise<Shared> {
  if (!existsSync(join(distDir, 'index.html'))) {
    throw new Error(
      `${distDir}/index.html is missing: build first (\`npm run build\`; \`npm run test:browser\` does it for you)`,
    );
  }
  if (!existsSync(CHROMIUM))
    throw new Error(
      `${CHROMIUM} is missing: run \`bash scripts/ensure-chromium.sh\` (apt-get install chromium libvulkan1)`,
    );
  const port = await freePort();
  const baseURL = `http://127.0.0.1:${port}/`;
  let out = '';
  const server = spawn(
    process.execPath,
    [VITE_BIN, 'preview', '--outDir', distDir, '--host', '127.0.0.1', '--port', String(port), '--strictPort'],
    {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  server.stdout?.on('data', (d) => (out += d));
  server.stderr?.on('data', (d) => (out += d));
  // A test file that forgets close() must not leave the server behind when its worker process exits
  // (Chromium exits by itself when its debugging pipe closes).
  const killOnExit = () => server.kill('SIGKILL');
  process.once('exit', killOnExit);
  server.once('exit', () => process.off('exit', killOnExit));
  try {
    await waitForHttp(baseURL, server, () => out);
  } catch (e) {
    server.kill('SIGTERM');
    throw e;
  }
  const userDataDir = mkdtempSync(join(tmpdir(), 'rcw-chromium-'));
  let browser: Browser;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      ignoreDefaultArgs: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        `--user-data-dir=${userDataDir}`,
        '--enable-unsafe-webgpu',
        '--remote-debugging-pipe',
        '--no-startup-window',
        // Extra flags, e.g. bench/gpu.ts's hardware-adapter (Vulkan) flags.
        ...(process.env.RCW_CHROMIUM_ARGS ?? '').split(/\s+/).filter(Boolean),
      ],
    });
  } catch (e) {
    server.kill('SIGTERM');
    rmSync(userDataDir, { recursive: true, force: true });
    throw e;
  }
  return { server, baseURL, browser, userDataDir, open: 0 };
}

async function stop(s: Shared): Promise<void> {
  await s.browser.close().catch(() => {});
  s.server.kill('SIGTERM');
  await new Promise<void>((res) => {
    if (s.server.exitCode !== null || s.server.signalCode !== null) return res();
    const timer = setTimeout(() => {
      s.server.kill('SIGKILL');
      res();
    }, 3000);
    s.server.once('exit', () => {
      clearTimeout(timer);
      res();
    });
  });
  rmSync(s.userDataDir, { recursive: true, force: true });
}

export async function openApp(opts: OpenAppOptions = {}): Promise<OpenApp> {
  shared ??= start().catch((e) => {
    shared = null;
    throw e;
  });
  const s = await shared;
  s.open++;
  const context = await s.browser.newContext({ viewport: opts.viewport ?? { width: 1280, height: 800 } });
  const requests: string[] = [];
  const errors: string[] = [];
  // Context-level events include requests made by dedicated workers (the page-level ones may not).
  context.on('request', (r) => requests.push(r.url()));
  context.on('requestfailed', (r) => errors.push(`request failed: ${r.url()} (${r.failure()?.errorText ?? '?'})`));
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await context.close().catch(() => {});
    if (--s.open === 0 && shared) {
      shared = null;
      await stop(s);
    }
  };
  try {
    await page.goto(s.baseURL + (opts.query ?? ''), { waitUntil: 'load' });
  } catch (e) {
    await close();
    throw e;
  }
  return { page, baseURL: s.baseURL, requests, errors, close };
}

/** Requests that did not go to 127.0.0.1 (data: URLs are inline; blob: URLs are checked by their origin). */
export function nonLocalRequests(requests: string[]): string[] {
  return requests.filter((u) => {
    if (u.startsWith('data:')) return false;
    const inner = u.startsWith('blob:') ? u.slice(5) : u;
    try {
      return new URL(inner).hostname !== '127.0.0.1';
    } catch {
      return true;
    }
  });
}

export function expectAllLocal(requests: string[]): void {
  const bad = nonLocalRequests(requests);
  if (requests.length === 0) throw new Error('no requests were recorded: the recorder is broken');
  if (bad.length) throw new Error(`requests left 127.0.0.1:\n  ${bad.join('\n  ')}`);
}

/**
 * Saves a full-page PNG under test-results/ and returns its path. The app scrolls inside its panel area, so
 * with `wholePanel` the layout is let flow for the shot (the whole panel is captured), then restored.
 */
export async function screenshot(page: Page, name: string, wholePanel = false): Promise<string> {
  const dir = join(repoRoot, 'test-results');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  const flow = (on: boolean) =>
    page.evaluate((v) => {
      for (const el of [document.documentElement, document.body]) el.style.height = v ? 'auto' : '';
      document.body.style.minHeight = v ? '100vh' : ''; // a short panel keeps the status bar at the bottom
      const panels = document.querySelector<HTMLElement>('.panels');
      if (panels) panels.style.overflow = v ? 'visible' : '';
    }, on);
  if (wholePanel) await flow(true);
  try {
    await page.screenshot({ path, fullPage: true });
  } finally {
    if (wholePanel) await flow(false);
  }
  return path;
}

/** Horizontal overflow in CSS px of the page and of the scrolling panel area (0 when nothing scrolls sideways). */
export async function horizontalOverflow(page: Page): Promise<{ page: number; panels: number }> {
  return page.evaluate(() => {
    const panels = document.querySelector<HTMLElement>('.panels');
    return {
      page: document.documentElement.scrollWidth - window.innerWidth,
      panels: panels ? panels.scrollWidth - panels.clientWidth : 0,
    };
  });
}

export interface AxeSummary {
  /** Violations by impact, counted per rule. */
  counts: Record<string, number>;
  /** Rule ids of every violation, by impact. */
  rules: Record<string, string[]>;
  /** Serious and critical violations: rule id, help text and the first few offending selectors. */
  blocking: { id: string; impact: string; help: string; targets: string[] }[];
  passes: number;
}

/**
 * Runs axe-core (node_modules/axe-core/axe.min.js, injected through the devtools protocol, which the page's
 * CSP does not govern) on the document as it is now.
 */
export async function runAxe(page: Page): Promise<AxeSummary> {
  if (!(await page.evaluate(() => 'axe' in window))) {
    const { readFileSync } = await import('node:fs');
    await page.evaluate(readFileSync(join(repoRoot, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8'));
  }
  return page.evaluate(async () => {
    type AxeResult = {
      violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[];
      passes: unknown[];
    };
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<AxeResult> } }).axe;
    const r = await axe.run(document, { resultTypes: ['violations'] });
    const counts: Record<string, number> = {};
    const rules: Record<string, string[]> = {};
    for (const v of r.violations) {
      counts[v.impact] = (counts[v.impact] ?? 0) + 1;
      (rules[v.impact] ??= []).push(v.id);
    }
    const blocking = r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
      }));
    return { counts, rules, blocking, passes: r.passes.length };
  });
}

/**
 * Presses Tab up to `max` times from the element focused now and returns what got focus: a selector-ish
 * label per element and whether its focus was visible (an outline or a focus ring). A focused Monaco
 * editor gets Esc first (the app's switch from "Tab indents" to "Tab leaves the editor", src/ui/monaco.ts).
 */
export async function tabThrough(page: Page, max = 250): Promise<{ reached: Set<string>; invisible: string[] }> {
  const reached = new Set<string>();
  const invisible: string[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const got = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body) return null;
      el.dataset.kbdSeen = '1';
      const editor = el.closest<HTMLElement>('.monaco-editor');
      const inMonaco = Boolean(editor);
      // Each editor needs its own Esc (tabFocusMode is per editor).
      const newEditor = editor ? !editor.dataset.kbdToggled : false;
      if (editor) editor.dataset.kbdToggled = '1';
      const cs = getComputedStyle(el);
      const ring =
        (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0) || (cs.boxShadow && cs.boxShadow !== 'none');
      const label = `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.dataset.testid ? '[' + el.dataset.testid + ']' : ''} "${(el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 30)}"`;
      return { label, inMonaco, newEditor, visible: inMonaco || Boolean(ring) };
    });
    if (!got) continue;
    if (got.newEditor) await page.keyboard.press('Escape');
    if (!got.visible) invisible.push(got.label);
    if (reached.has(got.label) && /^button#tab-|section#panel-/.test(got.label)) break; // wrapped around
    reached.add(got.label);
  }
  return { reached, invisible };
}

/** Controls in `scope` a keyboard user must be able to reach, that Tab never focused (see tabThrough). */
export async function unreachedControls(page: Page, scope: string): Promise<string[]> {
  return page.evaluate((sel) => {
    const root = document.querySelector(sel);
    if (!root) return [`${sel} is missing`];
    const all = Array.from(
      root.querySelectorAll<HTMLElement>(
        'button, select, input, textarea, summary, a[href], [tabindex]:not([tabindex="-1"])',
      ),
    );
    return all
      .filter((el) => {
        if (el.matches(':disabled') || el.tabIndex < 0 || el.offsetParent === null) return false;
        // Inside a closed <details>, or otherwise not rendered: not a control the user can see.
        if (!el.checkVisibility({ contentVisibilityAuto: true, visibilityProperty: true } as CheckVisibilityOptions))
          return false;
        if (el.closest('.monaco-editor') && el.tagName !== 'TEXTAREA') return false;
        const r = el.getBoundingClientRect();
        return r.width > 0 && r.height > 0 && !el.dataset.kbdSeen;
      })
      .map(
        (el) =>
          `${el.tagName.toLowerCase()}${el.dataset.testid ? '[' + el.dataset.testid + ']' : ''} "${(el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 40)}"`,
      );
  }, scope);
}
