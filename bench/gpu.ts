/**
 * WebGPU in headless Chromium, ready for a real GPU: `npm run bench -- gpu`.
 * - Chromium gets the flags that select a hardware adapter through Vulkan where one exists (RCW_CHROMIUM_ARGS
 *   overrides them); the adapter the page got is reported (status bar), and whether it is a software fallback.
 * - Yardstick: the header's Check (a 256×256 matmul in the probe worker) on WebGPU, warm median → GFLOP/s.
 * - Training: the Train panel on WebGPU (mini on a hardware adapter, tiny on a fallback such as SwiftShader);
 *   tokens/s from the run summary; achieved FLOP/s ≈ 6 × parameters × tokens/s (the weight matmuls forward and
 *   backward; attention and padding not counted, so a lower bound), against the yardstick.
 * - Decode: Try the model after the run, greedy; tokens/s from the streamed deltas.
 * Prints one JSON line per measurement; the whole benchmark stops after 10 minutes. On this machine the adapter is
 * SwiftShader: the figures check that the path works, not the speed.
 */
import type { Page } from 'playwright-core';
import { benchDist } from './build.ts';
import { median } from './timing.ts';
import { countParams, MODEL_PRESETS } from '../src/core/model/config.ts';

const LIMIT_MS = 10 * 60_000;
/** Vulkan for WebGPU (Dawn) and ANGLE; without a GPU Chromium falls back to SwiftShader. */
const HARDWARE_FLAGS =
  '--enable-features=Vulkan,VulkanFromANGLE,DefaultANGLEVulkan --use-angle=vulkan --use-vulkan=native --ignore-gpu-blocklist --enable-gpu';

function line(o: object): object {
  console.log(JSON.stringify(o));
  return o;
}

async function matmulYardstick(page: Page): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < 6; i++) {
    await page.evaluate(() => {
      const m = document.querySelector('[data-testid=header-notice-text]');
      if (m) m.textContent = '';
    });
    await page.click('#backend-check');
    await page.waitForFunction(
      () => /matmul .* cpu \(max/.test(document.querySelector('[data-testid=header-notice-text]')?.textContent ?? ''),
      null,
      { timeout: 120_000 },
    );
    const text = (await page.locator('[data-testid=header-notice-text]').textContent()) ?? '';
    const m = /\) in ([\d.]+) ms/.exec(text);
    if (!m) throw new Error(`unexpected check message: ${text}`);
    if (i > 0) ms.push(Number(m[1])); // the first one compiles the shaders
  }
  return (2 * 256 ** 3) / (median(ms) / 1000) / 1e9;
}

async function train(page: Page, preset: string, steps: number): Promise<number> {
  const config =
    preset === 'tiny'
      ? {
          preset,
          vocabSize: 512,
          model: { maxSeqLen: 1024 },
          train: { maxSteps: steps, batchSize: 1, maxLen: 1024, seed: 1 },
          checkpointEvery: 0,
        }
      : { preset, train: { maxSteps: steps, seed: 1 }, checkpointEvery: 0 };
  await page.locator('[data-testid=config-json]').fill(JSON.stringify(config));
  await page.click('[data-testid=train-start]');
  await page.waitForFunction(
    () => /^(finished|failed|stopped)$/.test(document.querySelector('[data-testid=train-state]')?.textContent ?? ''),
    null,
    { timeout: LIMIT_MS },
  );
  const message = (await page.locator('[data-testid=train-message]').textContent()) ?? '';
  const m = /\((\d+) tok\/s on (\w+)\)/.exec(message);
  if (!m || m[2] !== 'webgpu') throw new Error(`the run did not finish on webgpu: ${message}`);
  return Number(m[1]);
}

async function decode(page: Page, maxNew: number): Promise<{ tokens: number; tokensPerSec: number }> {
  // "Try the model" is a collapsed <details> in the Train panel.
  await page.evaluate(() =>
    document.querySelectorAll('details').forEach((d) => d.querySelector('[data-testid=try-prompt]') && (d.open = true)),
  );
  await page.fill('[data-testid=try-prompt]', 'Write a function that adds two numbers.');
  await page.locator('input[aria-label="Max new tokens"]').fill(String(maxNew));
  await page.evaluate(() => {
    const out = document.querySelector('[data-testid=try-output]')!;
    const w = window as unknown as { __deltas: number; __obs?: MutationObserver };
    w.__deltas = 0;
    w.__obs?.disconnect();
    w.__obs = new MutationObserver((records) => (w.__deltas += records.length));
    w.__obs.observe(out, { childList: true, characterData: true, subtree: true });
  });
  const t0 = Date.now();
  await page.click('[data-testid=try-generate]');
  await page.waitForFunction(
    () => !(document.querySelector('[data-testid=try-generate]') as HTMLButtonElement).disabled,
    null,
    { timeout: LIMIT_MS },
  );
  const seconds = (Date.now() - t0) / 1000;
  const tokens = await page.evaluate(() => (window as unknown as { __deltas: number }).__deltas);
  return { tokens, tokensPerSec: +(tokens / seconds).toFixed(2) };
}

/** Opens the page on WebGPU with `flags`; null (page closed) when the page did not get a WebGPU adapter. */
async function openOnWebGPU(flags: string, results: object[]) {
  process.env.RCW_CHROMIUM_ARGS = flags;
  const { openApp } = await import('../test/browser/harness.ts');
  const app = await openApp({ query: '?backend=webgpu' });
  await app.page.waitForSelector('html[data-ready="true"]', { timeout: 120_000 });
  const backend = await app.page.locator('[data-testid=status-backend]').getAttribute('data-backend');
  const reason = (await app.page.locator('[data-testid=status-reason]').textContent()) ?? '';
  const fallback = /\(fallback\)/.test(reason) || /swiftshader/i.test(reason);
  results.push(
    line({
      measurement: 'adapter',
      flags: flags || '(harness defaults)',
      backend,
      adapter: reason.split(' · ')[0],
      isFallbackAdapter: fallback,
      reason,
    }),
  );
  if (backend === 'webgpu') return { app, fallback };
  await app.close();
  return null;
}

export async function run(): Promise<object> {
  benchDist();
  const started = Date.now();
  const results: object[] = [];
  // RCW_CHROMIUM_ARGS given: only those flags. Otherwise the hardware (Vulkan) flags first, then the
  // harness's defaults, which give SwiftShader on a machine without a GPU.
  const attempts = process.env.RCW_CHROMIUM_ARGS !== undefined ? [process.env.RCW_CHROMIUM_ARGS] : [HARDWARE_FLAGS, ''];
  let opened: Awaited<ReturnType<typeof openOnWebGPU>> = null;
  for (const flags of attempts) if (!opened) opened = await openOnWebGPU(flags, results);
  if (!opened) throw new Error('no flag set gave the page a WebGPU adapter (see the adapter lines above)');
  const { app, fallback } = opened;
  const timer = setTimeout(
    () => {
      console.error('bench gpu: 10-minute limit reached, closing the browser');
      void app.close();
    },
    Math.max(1000, LIMIT_MS - (Date.now() - started)),
  );
  try {
    const { page } = app;
    const matmul = await matmulYardstick(page);
    results.push(line({ measurement: 'matmul256', gflops: +matmul.toFixed(3) }));
    const preset = fallback ? 'tiny' : 'mini';
    const steps = fallback ? 2 : 10;
    const tokensPerSec = await train(page, preset, steps);
    // The tokenizer has the config's vocabSize (tiny: 512 here; mini: its preset's 2048 run default).
    const params = countParams({ ...MODEL_PRESETS[preset], vocabSize: preset === 'tiny' ? 512 : 2048 });
    const gflops = (6 * params * tokensPerSec) / 1e9;
    results.push(
      line({
        measurement: 'train',
        preset,
        steps,
        params,
        tokensPerSec,
        achievedGflopsLowerBound: +gflops.toFixed(3),
        ofMatmulPct: +((100 * gflops) / matmul).toFixed(1),
      }),
    );
    const d = await decode(page, fallback ? 16 : 128);
    results.push(
      line({
        measurement: 'decode',
        preset,
        ...d,
        achievedGflopsLowerBound: +((2 * params * d.tokensPerSec) / 1e9).toFixed(4),
        ofMatmulPct: +((100 * 2 * params * d.tokensPerSec) / 1e9 / matmul).toFixed(2),
      }),
    );
    return { name: 'gpu', when: new Date().toISOString(), results };
  } finally {
    clearTimeout(timer);
    await app.close();
  }
}
