/**
 * Training plots (uPlot) against the optimizer step: the total loss, the three distillation terms, the mask
 * rate and the learning rate. Raw values are dots, smoothed values (bias-corrected EMA) are lines, and steps
 * whose batch had no reflection row ("instruction-only") are a series of their own, so a mixed dataset does
 * not read as a zigzag. Legends show the value under the cursor, or the latest one when the cursor is away.
 * The plots are rebuilt from a metrics history (a loaded or resumed checkpoint) and redrawn at most once
 * per animation frame while a run streams points.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { TrainProgress } from '../../api/trainer.ts';
import { smooth, smoothingWeight, stepKind, valueAtOrBefore, type StepKind } from './series.ts';
import { h } from '../dom.ts';

type Key = 'loss' | 'ce_teacher' | 'ce_student' | 'kl' | 'mask_rate' | 'lr';

interface SeriesSpec {
  key: Key;
  label: string;
  stroke: string;
  /** Only steps of this kind (undefined: every step). */
  kind?: StepKind;
  /** Raw dots (false: the smoothed line). */
  raw: boolean;
  dash?: number[];
}

const both = (key: Key, label: string, stroke: string, kind?: StepKind, dash?: number[]): SeriesSpec[] => [
  { key, label, stroke, kind, raw: false, dash },
  { key, label: `${label} (raw)`, stroke, kind, raw: true },
];

const CHARTS: { id: string; title: string; series: SeriesSpec[]; digits: number }[] = [
  {
    id: 'losses',
    title: 'Total loss',
    digits: 4,
    series: [
      ...both('loss', 'reflection steps', '#343a40', 'reflection'),
      ...both('loss', 'instruction-only steps', '#d9480f', 'instruction', [6, 4]),
    ],
  },
  {
    id: 'terms',
    title: 'Distillation terms (reflection steps)',
    digits: 4,
    series: [
      ...both('ce_teacher', 'CE teacher', '#1c7ed6', 'reflection'),
      ...both('ce_student', 'CE student', '#c92a2a', 'reflection'),
      ...both('kl', 'KL', '#2b8a3e', 'reflection'),
    ],
  },
  {
    id: 'mask',
    title: 'Mask rate',
    digits: 3,
    series: [{ key: 'mask_rate', label: 'mask rate', stroke: '#7048e8', raw: false }],
  },
  { id: 'lr', title: 'Learning rate', digits: 6, series: [{ key: 'lr', label: 'lr', stroke: '#e67700', raw: false }] },
];

const HEIGHT = 170;

export class TrainPlots {
  private readonly plots: { plot: uPlot; box: HTMLElement; spec: (typeof CHARTS)[number] }[] = [];
  private history: TrainProgress[] = [];
  private frame = 0;
  private readonly resize: ResizeObserver;
  /** Number of points drawn (tests and the panel read it). */
  points = 0;

  constructor(private readonly root: HTMLElement) {
    root.classList.add('train-plots');
    for (const spec of CHARTS) {
      const box = h('div', {
        class: `train-plot${spec.series.some((x) => x.raw) ? ' train-plot-paired' : ''}`,
        testid: `plot-${spec.id}`,
        role: 'img',
        'aria-label': `${spec.title} against the training step`,
      });
      root.append(box);
      const fmt = (v: number | null): string =>
        v === null ? '–' : Math.abs(v) > 0 && Math.abs(v) < 1e-3 ? v.toExponential(2) : v.toFixed(spec.digits);
      const plot = new uPlot(
        {
          title: spec.title,
          width: this.width(box),
          height: HEIGHT,
          scales: { x: { time: false } },
          axes: [{ label: 'step', size: 36, labelSize: 14 }, { size: 56 }],
          cursor: { points: { size: 6 } },
          series: [
            { label: 'step', value: (u, _v, _s, idx) => fmt(valueAtOrBefore(u.data[0], idx)).replace(/\.0+$/, '') },
            ...spec.series.map((s) => ({
              label: s.label,
              stroke: s.raw ? `${s.stroke}88` : s.stroke,
              width: s.raw ? 0 : 1.75,
              dash: s.dash,
              spanGaps: true,
              paths: s.raw ? () => null : undefined,
              points: s.raw ? { show: true, size: 4, fill: `${s.stroke}88`, stroke: `${s.stroke}88` } : { show: false },
              // A smoothed line followed by its raw dots: "raw (smoothed)"; the raw series' own legend row is hidden (CSS).
              value: (u: uPlot, _v: number | null, sidx: number, idx: number | null) => {
                const own = fmt(valueAtOrBefore(u.data[sidx] as (number | null)[], idx));
                const next = spec.series[sidx];
                if (s.raw || !next?.raw) return own;
                return `${fmt(valueAtOrBefore(u.data[sidx + 1] as (number | null)[], idx))} (~${own})`;
              },
            })),
          ],
        },
        [[], ...spec.series.map(() => [])] as unknown as uPlot.AlignedData,
        box,
      );
      this.plots.push({ plot, box, spec });
    }
    this.resize = new ResizeObserver(() => {
      for (const p of this.plots) p.plot.setSize({ width: this.width(p.box), height: HEIGHT });
    });
    this.resize.observe(root);
  }

  private width(box: HTMLElement): number {
    return Math.max(200, (box.clientWidth || 320) - 10);
  }

  /** Replaces everything (a loaded or resumed checkpoint's metrics history). */
  reset(history: TrainProgress[] = []): void {
    this.history = [...history];
    this.mark();
    this.schedule();
  }

  push(p: TrainProgress): void {
    // A resumed run re-logs from its checkpoint's step: drop anything at or after it first.
    while (this.history.length && this.history[this.history.length - 1].step >= p.step) this.history.pop();
    this.history.push(p);
    this.mark();
    this.schedule();
  }

  private mark(): void {
    this.points = this.history.length;
    this.root.dataset.points = String(this.points);
    this.root.dataset.kinds = [...new Set(this.history.map(stepKind))].sort().join(' ');
  }

  /** The aligned columns of one chart: x = step, then one column per series (null where it has no point). */
  private columns(spec: (typeof CHARTS)[number]): (number | null)[][] {
    const w = smoothingWeight(this.history.length);
    const kinds = this.history.map(stepKind);
    const cols: (number | null)[][] = [this.history.map((p) => p.step)];
    for (const s of spec.series) {
      const raw = this.history.map((p, i) => (s.kind && kinds[i] !== s.kind ? null : Number(p[s.key])));
      cols.push(s.raw ? raw : s.key === 'mask_rate' || s.key === 'lr' ? raw : smooth(raw, w));
    }
    return cols;
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      for (const { plot, spec } of this.plots) {
        plot.setData(this.columns(spec) as unknown as uPlot.AlignedData);
        plot.setLegend({ idx: null as unknown as number });
      }
    });
  }

  destroy(): void {
    cancelAnimationFrame(this.frame);
    this.resize.disconnect();
    for (const p of this.plots) p.plot.destroy();
  }
}
