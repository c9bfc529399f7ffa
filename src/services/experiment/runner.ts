/**
 * The experiment runner (issue 11): every variant × seed, plus the untrained model of each seed and the reference
 * solutions, each cell trained and evaluated by runCell and saved to a ResultStore as soon as it finishes. A rerun
 * (after Ctrl-C, a reload, a crash) skips the cells already in the store; the store key includes a fingerprint of
 * the preset and the data, so a changed preset or data set never reuses stale cells.
 */
import type { PythonChecker } from '../../api/python.ts';
import type { CheckpointFiles } from '../../api/store.ts';
import { hash32 } from '../../core/tasks/generate.ts';
import { UsageError } from '../../core/errors.ts';
import type { ExperimentPreset } from './presets.ts';
import {
  referenceCell,
  runCell,
  evalTasks,
  type CellEvent,
  type CellResult,
  type ExperimentData,
} from './single-run.ts';
import type { ResultStore } from '../../api/experiment.ts';
import type { DataParallelPool } from '../trainer/data-parallel.ts';
import { tableRows, type TableRow } from './stats.ts';
import { rowOrder, TABLE2_VARIANTS, type Variant } from './variants.ts';

export type { ResultStore } from '../../api/experiment.ts';

export interface ExperimentPlanCell {
  key: string;
  variant: Variant | 'untrained' | 'reference';
  seed: number;
}

export type ExperimentEvent =
  | { type: 'plan'; cells: number; done: number }
  | { type: 'cell-start'; key: string; index: number; cells: number }
  | { type: 'cell'; key: string; event: CellEvent; index: number; cells: number }
  | {
      type: 'cell-done';
      key: string;
      result: CellResult;
      cached: boolean;
      index: number;
      cells: number;
      etaSec: number | null;
    };

export interface ExperimentOptions {
  preset: ExperimentPreset;
  seeds: number[];
  variants?: Variant[];
  data: ExperimentData;
  python: PythonChecker;
  store: ResultStore;
  onEvent?: (e: ExperimentEvent) => void;
  signal?: AbortSignal;
  /** Data-parallel replicas every trained cell uses (the caller opens and closes them). */
  pool?: DataParallelPool | null;
  /** Where a trained cell's model goes (CLI: <out>/models/<variant>@<seed>/), saved before its result. */
  saveCheckpoint?: (cell: { variant: string; seed: number }, files: CheckpointFiles) => Promise<void>;
}

export interface ExperimentResult {
  preset: string;
  seeds: number[];
  fingerprint: string;
  cells: CellResult[];
  rows: TableRow[];
}

/** What decides a cell's numbers besides variant and seed: the preset and the data. */
export function fingerprint(preset: ExperimentPreset, data: ExperimentData): string {
  const text = JSON.stringify({
    preset: { ...preset, evalSeen: String(preset.evalSeen), evalUnseen: String(preset.evalUnseen) },
    data,
  });
  return hash32(text).toString(16).padStart(8, '0');
}

export function planCells(
  preset: ExperimentPreset,
  seeds: number[],
  variants: Variant[],
  fp: string,
): ExperimentPlanCell[] {
  const key = (v: string, s: number) => `${preset.name}/${fp}/${v}@${s}`;
  const cells: ExperimentPlanCell[] = [{ key: key('reference', 0), variant: 'reference', seed: 0 }];
  for (const seed of seeds) {
    cells.push({ key: key('untrained', seed), variant: 'untrained', seed });
    for (const v of variants) cells.push({ key: key(v.name, seed), variant: v, seed });
  }
  return cells;
}

export async function runExperiment(opts: ExperimentOptions): Promise<ExperimentResult> {
  const variants = opts.variants ?? TABLE2_VARIANTS;
  if (!opts.seeds.length) throw new UsageError('--seeds: expected at least one seed');
  const fp = fingerprint(opts.preset, opts.data);
  const plan = planCells(opts.preset, opts.seeds, variants, fp);
  const cells: CellResult[] = [];
  const cached = await Promise.all(plan.map((c) => opts.store.get(c.key)));
  opts.onEvent?.({ type: 'plan', cells: plan.length, done: cached.filter(Boolean).length });
  const secs: { sec: number; variant: string }[] = [];
  for (const [i, c] of plan.entries()) {
    opts.signal?.throwIfAborted();
    let result = cached[i];
    const wasCached = Boolean(result);
    if (!result) {
      opts.onEvent?.({ type: 'cell-start', key: c.key, index: i, cells: plan.length });
      const t0 = performance.now();
      result =
        c.variant === 'reference'
          ? await referenceCell(opts.preset, opts.python)
          : await runCell({
              preset: opts.preset,
              seed: c.seed,
              data: opts.data,
              python: opts.python,
              signal: opts.signal,
              pool: opts.pool,
              variant: c.variant === 'untrained' ? variants[0]! : c.variant,
              untrained: c.variant === 'untrained',
              onEvent: (event) => opts.onEvent?.({ type: 'cell', key: c.key, event, index: i, cells: plan.length }),
              saveCheckpoint:
                opts.saveCheckpoint && typeof c.variant !== 'string'
                  ? (files) => opts.saveCheckpoint!({ variant: (c.variant as Variant).name, seed: c.seed }, files)
                  : undefined,
            });
      secs.push({ sec: (performance.now() - t0) / 1000, variant: result.variant });
      await opts.store.put(c.key, result);
    }
    cells.push(result);
    opts.onEvent?.({
      type: 'cell-done',
      key: c.key,
      result,
      cached: wasCached,
      index: i,
      cells: plan.length,
      etaSec: eta(plan.slice(i + 1), secs),
    });
  }
  return {
    preset: opts.preset.name,
    seeds: opts.seeds,
    fingerprint: fp,
    cells,
    rows: tableRows(cells, rowOrder(variants)),
  };
}

/** Remaining time from the measured cells: the same variant's mean when known, else the mean of all trained cells. */
function eta(rest: ExperimentPlanCell[], secs: { sec: number; variant: string }[]): number | null {
  const trained = secs.filter((s) => s.variant !== 'reference' && s.variant !== 'untrained');
  if (!trained.length) return rest.length ? null : 0;
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const all = mean(trained.map((s) => s.sec));
  return rest.reduce((t, c) => {
    const name = typeof c.variant === 'string' ? c.variant : c.variant.name;
    const same = secs.filter((s) => s.variant === name).map((s) => s.sec);
    return t + (same.length ? mean(same) : name === 'untrained' ? all / 10 : all);
  }, 0);
}

/** The `--json` summary line (issue 11). */
export function summaryLine(r: ExperimentResult): string {
  const pct = (s: { mean: number; std: number; n: number }) => ({ mean: round(s.mean), std: round(s.std), n: s.n });
  return JSON.stringify({
    summary: true,
    preset: r.preset,
    seeds: r.seeds,
    rows: r.rows.map((row) => ({
      variant: row.variant,
      seen: pct(row.seen),
      unseen: pct(row.unseen),
      valLoss: row.valLoss
        ? { mean: round(row.valLoss.mean, 4), std: round(row.valLoss.std, 4), n: row.valLoss.n }
        : null,
    })),
    seenTasks: r.cells[0]?.seen.total ?? 0,
    unseenTasks: r.cells[0]?.unseen.total ?? 0,
  });
}

const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;
export { evalTasks };
