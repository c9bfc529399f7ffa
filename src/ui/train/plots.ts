/**
 * Live training plots (uPlot): the three losses (+ total), the mask rate and the learning rate,
 * against the optimizer step. Points are appended as progress events arrive and redrawn at most
 * once per animation frame, so a fast run does not flood the main thread.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { TrainProgress } from '../../api/trainer.ts';

interface SeriesSpec {
  key: keyof TrainProgress;
  label: string;
  stroke: string;
}

const CHARTS: { id: string; title: string; series: SeriesSpec[] }[] = [
  {
    id: 'losses',
    title: 'Losses',
    series: [
      { key: 'loss', label: 'total', stroke: '#444' },
      { key: 'ce_teacher', label: 'CE teacher', stroke: '#1f77b4' },
      { key: 'ce_student', label: 'CE student', stroke: '#d62728' },
      { key: 'kl', label: 'KL(teacher‖student)', stroke: '#2ca02c' },
    ],
  },
  { id: 'mask', title: 'Mask rate', series: [{ key: 'mask_rate', label: 'mask rate', stroke: '#9467bd' }] },
  { id: 'lr', title: 'Learning rate', series: [{ key: 'lr', label: 'lr', stroke: '#ff7f0e' }] },
];

export class TrainPlots {
  private readonly plots: { plot: uPlot; spec: (typeof CHARTS)[number]; data: number[][] }[] = [];
  private frame = 0;
  private readonly resize: ResizeObserver;
  /** Number of points drawn (tests and the panel read it). */
  points = 0;

  constructor(private readonly root: HTMLElement) {
    root.classList.add('train-plots');
    for (const spec of CHARTS) {
      const box = document.createElement('div');
      box.className = 'train-plot';
      box.dataset.testid = `plot-${spec.id}`;
      root.append(box);
      const data: number[][] = [[], ...spec.series.map(() => [])];
      const plot = new uPlot(
        {
          title: spec.title,
          width: this.width(),
          height: 180,
          scales: { x: { time: false } },
          axes: [{ label: 'step' }, { size: 60 }],
          series: [{ label: 'step' }, ...spec.series.map((s) => ({ label: s.label, stroke: s.stroke, width: 1.5 }))],
        },
        data as uPlot.AlignedData,
        box,
      );
      this.plots.push({ plot, spec, data });
    }
    this.resize = new ResizeObserver(() => {
      for (const p of this.plots) p.plot.setSize({ width: this.width(), height: 180 });
    });
    this.resize.observe(root);
  }

  private width(): number {
    // Three charts per row: 12 px gaps between boxes, 4 px padding + 1 px border inside each.
    const perRow = (this.root.clientWidth || 960) < 720 ? 1 : CHARTS.length;
    return Math.max(240, Math.floor(((this.root.clientWidth || 960) - 12 * (perRow - 1)) / perRow) - 10);
  }

  /** Replaces everything (a resumed run restores its metrics history). */
  reset(history: TrainProgress[] = []): void {
    for (const p of this.plots) for (const col of p.data) col.length = 0;
    this.points = 0;
    for (const h of history) this.append(h);
    this.schedule();
  }

  push(p: TrainProgress): void {
    this.append(p);
    this.schedule();
  }

  private append(p: TrainProgress): void {
    for (const { spec, data } of this.plots) {
      data[0].push(p.step);
      spec.series.forEach((s, i) => data[i + 1].push(Number(p[s.key])));
    }
    this.points++;
    this.root.dataset.points = String(this.points);
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      for (const { plot, data } of this.plots) plot.setData(data as uPlot.AlignedData);
    });
  }

  destroy(): void {
    cancelAnimationFrame(this.frame);
    this.resize.disconnect();
    for (const p of this.plots) p.plot.destroy();
  }
}
