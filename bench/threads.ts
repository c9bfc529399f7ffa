/**
 * All cores in Chromium: training tokens/s of the built page with 1 wasm thread and with every core
 * (navigator.hardwareConcurrency), same build, same run. Two pages (?threads=1 and the default) train
 * on the built-in demo data through the Train panel, alternating runs; each page's first run is a
 * warm-up. With every core the trainer worker trains data-parallel: it and one replica worker per
 * extra core (the single-threaded SIMD build each) compute shards of every step (docs/performance.md,
 * "Data-parallel workers"); the ?threads=1 page trains on the trainer worker alone, the same build.
 * Reports each side's median and best run, the ratio of medians, and the median of the per-round
 * ratios (each round's two runs are seconds apart, so a change in the machine's load between rounds
 * cancels out). Before measuring, the pages must report 1 thread and more than 1, and their warm-up
 * runs 1 data-parallel worker and more than 1 (on a machine with more than one core): otherwise the
 * run stops with the reason instead of printing a meaningless ratio. A run that fails is retried once.
 * The machine's own ceiling, in the same rounds: two ?threads=1 pages train the same run AT THE SAME
 * TIME (two independent trainer workers, nothing shared but the hardware). Their summed tokens/s over
 * one page's alone is what two cores give two independent trainings here; data-parallel training, which
 * also splits and exchanges, cannot beat it. Reported as `ceilingPerRoundMedian`, and the data-parallel
 * ratio as a share of it.
 * Two shapes by default: the smoke preset (dim 64, 2 layers) and the experiment's `mini` model (dim 128,
 * 4 layers), each at its own batch size. Env: BENCH_ROUNDS (default 4), BENCH_THREADS_STEPS (steps per
 * run, default 3), BENCH_THREADS_PRESETS (comma-separated presets, default "smoke,mini"),
 * BENCH_THREADS_BATCH (records per step for every preset; default the preset's), BENCH_THREADS_POLL (ms between
 * checks for a run's end, or "raf"; default 250).
 */
import type { Page } from 'playwright-core';
import { benchDist } from './build.ts';
import { median } from './timing.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const STEPS = Number(process.env.BENCH_THREADS_STEPS ?? 3);
const PRESETS = (process.env.BENCH_THREADS_PRESETS ?? 'smoke,mini').split(',').filter(Boolean);
/**
 * How the benchmark waits for a run's end: every 250 ms by default, not on every animation frame (playwright's
 * default), which keeps a polled page producing frames. Measured (docs/performance.md, sixth round): the
 * data-parallel ratio is the same either way (per-round medians 1.54–1.62× with "raf", 1.55–1.65× at 250 ms),
 * but the ceiling's two polled pages lose to it (1.76–1.79× with "raf", 1.90–1.93× at 250 ms). The tokens/s
 * come from the app's own step timing either way. BENCH_THREADS_POLL=raf measures the old way.
 */
const POLLING: number | 'raf' = ((v: string) => {
  if (v === 'raf') return v;
  const ms = Number(v);
  if (!(ms > 0)) throw new Error(`BENCH_THREADS_POLL must be "raf" or a positive number of ms, found "${v}"`);
  return ms;
})(process.env.BENCH_THREADS_POLL ?? '250');
/** BENCH_THREADS_BATCH: records per step; default: each preset's own batch size (smoke 2, mini 4), what a user's run uses. */
const BATCH = process.env.BENCH_THREADS_BATCH ? Number(process.env.BENCH_THREADS_BATCH) : null;
const configFor = (preset: string): string =>
  JSON.stringify({
    preset,
    train: { maxSteps: STEPS, ...(BATCH ? { batchSize: BATCH } : {}), seed: 1 },
    checkpointEvery: 0,
  });

/** One run; a failed run (a transient error on a loaded machine) is retried once, and a second failure throws. */
async function trainMeasured(page: Page, label: string, config: string): Promise<Run> {
  try {
    return await trainOnce(page, config);
  } catch (e) {
    console.error(`threads: ${label} run failed, retrying once: ${(e as Error).message}`);
    return trainOnce(page, config);
  }
}

/** A run's tokens/s and the tfjs instances that computed it (data-parallel workers; 1 = the trainer alone). */
interface Run {
  tokensPerSec: number;
  workers: number;
}

async function trainOnce(page: Page, config: string): Promise<Run> {
  await page.locator('[data-testid=config-json]').fill(config);
  await page.click('[data-testid=train-start]');
  const state = page.locator('[data-testid=train-state]');
  await page.waitForFunction(
    () => /^(finished|failed|stopped)$/.test(document.querySelector('[data-testid=train-state]')?.textContent ?? ''),
    null,
    { timeout: 600_000, polling: POLLING },
  );
  const message = (await page.locator('[data-testid=train-message]').textContent()) ?? '';
  const m = /\((\d+) tok\/s on wasm(?: · (\d+) data-parallel workers)?\)/.exec(message);
  if (!m) throw new Error(`run did not finish on wasm (state ${await state.textContent()}): ${message}`);
  return { tokensPerSec: Number(m[1]), workers: Number(m[2] ?? 1) };
}

export async function run(): Promise<object> {
  benchDist();
  const { openApp } = await import('../test/browser/harness.ts');
  const sides = [
    { name: 'one thread', query: '?backend=wasm&threads=1' },
    { name: 'all threads', query: '?backend=wasm' },
    // The ceiling's second independent training, beside the first page (see the header).
    { name: 'one thread, second page', query: '?backend=wasm&threads=1' },
  ];
  const apps: Awaited<ReturnType<typeof openApp>>[] = [];
  try {
    for (const s of sides) {
      const app = await openApp({ query: s.query });
      await app.page.waitForSelector('html[data-ready="true"]', { timeout: 120_000 });
      apps.push(app);
    }
    const threads = (
      await Promise.all(apps.map((a) => a.page.locator('[data-testid=status-backend]').getAttribute('data-threads')))
    ).map(Number);
    const cores = await apps[1].page.evaluate(() => navigator.hardwareConcurrency);
    for (const i of [0, 2])
      if (threads[i] !== 1) throw new Error(`the ?threads=1 page reports ${threads[i]} wasm threads, not 1`);
    if (cores > 1 && !(threads[1] > 1))
      throw new Error(
        `the default page reports ${threads[1]} wasm threads on ${cores} cores: the threaded build did not start ` +
          '(cross-origin isolation? see docs/performance.md)',
      );
    const shapes = [];
    for (const preset of PRESETS) {
      const config = configFor(preset);
      const runs: number[][] = sides.map(() => []);
      /** Per round: the two one-thread pages' tokens/s, summed, while they trained at the same time. */
      const together: number[] = [];
      const workers: number[] = [];
      for (const [i, a] of apps.entries()) workers[i] = (await trainMeasured(a.page, sides[i].name, config)).workers; // warm-up
      for (const i of [0, 2])
        if (workers[i] !== 1) throw new Error(`the ?threads=1 page trained on ${workers[i]} workers, not 1`);
      if (cores > 1 && !(workers[1]! > 1))
        throw new Error(
          `the default page trained on ${workers[1]} worker(s) on ${cores} cores: no data-parallel replica started`,
        );
      for (let r = 0; r < ROUNDS; r++) {
        // Alternate the order each round so a slow spell on the shared machine hits both sides.
        const order = r % 2 ? [1, 0] : [0, 1];
        for (const i of order) {
          const run = await trainMeasured(apps[i].page, sides[i].name, config);
          if (run.workers !== workers[i])
            throw new Error(`${sides[i].name}: ${run.workers} workers, was ${workers[i]}`);
          runs[i].push(run.tokensPerSec);
        }
        // The ceiling: both one-thread pages, the same run, started together (same work, so they overlap).
        const pair = await Promise.all([0, 2].map((i) => trainMeasured(apps[i].page, sides[i].name, config)));
        together.push(pair[0]!.tokensPerSec + pair[1]!.tokensPerSec);
        console.error(
          `threads ${preset}: round ${r + 1}/${ROUNDS}: 1 thread ${runs[0].at(-1)}, all ${runs[1].at(-1)}, ` +
            `two 1-thread pages at once ${pair[0]!.tokensPerSec} + ${pair[1]!.tokensPerSec} tokens/s`,
        );
      }
      const stats = sides.slice(0, 2).map((s, i) => ({
        side: s.name,
        threads: threads[i],
        dataParallelWorkers: workers[i],
        medianTokensPerSec: median(runs[i]),
        bestTokensPerSec: Math.max(...runs[i]),
        runs: runs[i],
      }));
      shapes.push({
        preset,
        config: JSON.parse(config),
        results: stats,
        speedupMedian: +(stats[1].medianTokensPerSec / stats[0].medianTokensPerSec).toFixed(2),
        speedupBest: +(stats[1].bestTokensPerSec / stats[0].bestTokensPerSec).toFixed(2),
        speedupPerRoundMedian: +median(runs[1].map((all, r) => all / runs[0][r]!)).toFixed(2),
        ceiling: {
          what: 'two ?threads=1 pages training the same run at the same time: summed tokens/s ÷ one page alone (same round)',
          togetherTokensPerSec: together,
          ceilingPerRoundMedian: +median(together.map((t, r) => t / runs[0][r]!)).toFixed(2),
          // Data-parallel tokens/s ÷ the two independent trainings' summed tokens/s, per round.
          speedupOverCeiling: +median(runs[1].map((all, r) => all / together[r]!)).toFixed(2),
        },
      });
    }
    return {
      name: 'threads',
      when: new Date().toISOString(),
      what: `presets ${PRESETS.join(', ')}, batch ${BATCH ?? 'of the preset'}, ${STEPS} steps per run, run end polled ${POLLING === 'raf' ? 'every frame' : `every ${POLLING} ms`}, built-in demo data, Train panel in headless Chromium (all cores: data-parallel workers), ${ROUNDS} alternating rounds`,
      hardwareConcurrency: cores,
      shapes,
    };
  } finally {
    for (const a of apps) await a.close();
  }
}
