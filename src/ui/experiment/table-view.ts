/** The experiment table (pass@1 mean ± std per split, validation loss) and the training-loss curves as inline SVG. */
import type { CellResult } from '../../api/experiment.ts';
import type { TableRow } from '../../page/services.ts';
import { h } from '../dom.ts';

const fmt = (s: { mean: number; std: number; n: number }, d = 1): string =>
  s.n > 1 ? `${s.mean.toFixed(d)} ± ${s.std.toFixed(d)}` : s.mean.toFixed(d);

export function renderTable(rows: readonly TableRow[], caption: string): HTMLTableElement {
  const head = h(
    'tr',
    {},
    ...['Variant', 'Seen templates pass@1 (%)', 'Unseen templates pass@1 (%)', 'Validation loss', 'Seeds'].map((t) =>
      h('th', { scope: 'col' }, t),
    ),
  );
  const body = rows.map((r) =>
    h(
      'tr',
      { 'data-variant': r.variant },
      h('th', { scope: 'row' }, r.label, h('code', {}, ` ${r.variant}`)),
      h('td', {}, fmt(r.seen)),
      h('td', {}, fmt(r.unseen)),
      h('td', {}, r.valLoss ? fmt(r.valLoss, 3) : '—'),
      h('td', {}, String(r.seen.n)),
    ),
  );
  return h(
    'table',
    { class: 'exp-table', testid: 'exp-table' },
    h('caption', {}, caption),
    h('thead', {}, head),
    h('tbody', {}, ...body),
  );
}

const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#4b5563'];

/** Training loss per variant (seed 0 of each, or the first seed there is), one polyline each. */
export function renderCurves(cells: readonly CellResult[]): SVGSVGElement | null {
  const byVariant = new Map<string, CellResult>();
  for (const c of cells) if (c.curve.length && !byVariant.has(c.variant)) byVariant.set(c.variant, c);
  if (!byVariant.size) return null;
  const W = 480;
  const H = 180;
  const pts = [...byVariant.values()].flatMap((c) => c.curve);
  const maxStep = Math.max(...pts.map((p) => p.step));
  const maxLoss = Math.max(...pts.map((p) => p.loss));
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', `0 0 ${W} ${H + 20}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', 'training loss per variant');
  svg.classList.add('exp-curves');
  [...byVariant.entries()].forEach(([variant, c], i) => {
    const line = document.createElementNS(ns, 'polyline');
    line.setAttribute(
      'points',
      c.curve
        .map(
          (p) => `${((p.step / maxStep) * (W - 10) + 5).toFixed(1)},${(H - (p.loss / maxLoss) * (H - 10)).toFixed(1)}`,
        )
        .join(' '),
    );
    line.setAttribute('fill', 'none');
    line.setAttribute('stroke', COLORS[i % COLORS.length]!);
    line.setAttribute('stroke-width', '1.5');
    const title = document.createElementNS(ns, 'title');
    title.textContent = variant;
    line.append(title);
    const label = document.createElementNS(ns, 'text');
    label.setAttribute('x', String(5 + i * 120));
    label.setAttribute('y', String(H + 15));
    label.setAttribute('fill', COLORS[i % COLORS.length]!);
    label.setAttribute('font-size', '11');
    label.textContent = variant;
    svg.append(line, label);
  });
  return svg;
}
