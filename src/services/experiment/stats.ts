/** Aggregation of the experiment's cells into the table rows (mean ± sample std over seeds), and its Markdown. */
import type { CellResult } from './single-run.ts';

export interface Stat {
  mean: number;
  /** Sample standard deviation (n − 1); 0 for a single seed. */
  std: number;
  n: number;
}

export interface TableRow {
  variant: string;
  label: string;
  seen: Stat;
  unseen: Stat;
  valLoss: Stat | null;
  seeds: number[];
}

export function stat(xs: readonly number[]): Stat {
  const n = xs.length;
  if (n === 0) return { mean: NaN, std: NaN, n: 0 };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, n };
}

/** One row per variant, in `order`, from whatever cells are finished. */
export function tableRows(cells: readonly CellResult[], order: readonly { name: string; label: string }[]): TableRow[] {
  return order
    .map(({ name, label }) => {
      const cs = cells.filter((c) => c.variant === name).sort((a, b) => a.seed - b.seed);
      const losses = cs.map((c) => c.valLoss).filter((v): v is number => v !== null);
      return {
        variant: name,
        label,
        seen: stat(cs.map((c) => 100 * c.seen.passAt1)),
        unseen: stat(cs.map((c) => 100 * c.unseen.passAt1)),
        valLoss: losses.length ? stat(losses) : null,
        seeds: cs.map((c) => c.seed),
      };
    })
    .filter((r) => r.seen.n > 0);
}

const fmt = (s: Stat, digits = 1): string =>
  s.n > 1 ? `${s.mean.toFixed(digits)} ± ${s.std.toFixed(digits)}` : s.mean.toFixed(digits);

/** Pairs of Table 2 rows whose mean difference on `split` exceeds the sum of their standard deviations. */
export function separatedPairs(rows: readonly TableRow[], split: 'seen' | 'unseen'): string[] {
  const out: string[] = [];
  const trained = rows.filter((r) => r.variant !== 'reference' && r.variant !== 'untrained');
  for (let i = 0; i < trained.length; i++) {
    for (let j = i + 1; j < trained.length; j++) {
      const [a, b] = [trained[i]!, trained[j]!];
      const d = a[split].mean - b[split].mean;
      if (Math.abs(d) > a[split].std + b[split].std && a[split].n > 1 && b[split].n > 1)
        out.push(
          `${d > 0 ? a.variant : b.variant} > ${d > 0 ? b.variant : a.variant} (${Math.abs(d).toFixed(1)} points)`,
        );
    }
  }
  return out;
}

/** Pairs of trained rows whose validation losses differ by more than the sum of their standard deviations. */
export function separatedLosses(rows: readonly TableRow[]): string[] {
  const out: string[] = [];
  const trained = rows.filter((r) => r.valLoss && r.valLoss.n > 1 && r.variant !== 'untrained');
  for (let i = 0; i < trained.length; i++) {
    for (let j = i + 1; j < trained.length; j++) {
      const [a, b] = [trained[i]!.valLoss!, trained[j]!.valLoss!];
      const d = a.mean - b.mean;
      const [lo, hi] = d < 0 ? [trained[i]!, trained[j]!] : [trained[j]!, trained[i]!];
      if (Math.abs(d) > a.std + b.std) out.push(`${lo.variant} < ${hi.variant} (${Math.abs(d).toFixed(3)})`);
    }
  }
  return out;
}

export function markdownTable(
  rows: readonly TableRow[],
  meta: { preset: string; seeds: number[]; seenTasks: number; unseenTasks: number },
): string {
  const lines = [
    `Preset \`${meta.preset}\`, seeds ${meta.seeds.join(', ')}; greedy pass@1 (%) on ${meta.seenTasks} seen-template and ${meta.unseenTasks} unseen-template test tasks; mean ± std over seeds.`,
    '',
    '| Variant | Seen templates | Unseen templates | Validation loss |',
    '| --- | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.label} (\`${r.variant}\`) | ${fmt(r.seen)} | ${fmt(r.unseen)} | ${r.valLoss ? fmt(r.valLoss, 3) : '—'} |`,
    ),
  ];
  const seen = separatedPairs(rows, 'seen');
  const unseen = separatedPairs(rows, 'unseen');
  const valLoss = separatedLosses(rows);
  lines.push(
    '',
    `Differences larger than the summed std (seen): ${seen.length ? seen.join('; ') : 'none'}.`,
    `Differences larger than the summed std (unseen): ${unseen.length ? unseen.join('; ') : 'none'}.`,
    `Validation-loss differences larger than the summed std (lower is better): ${valLoss.length ? valLoss.join('; ') : 'none'}.`,
  );
  return lines.join('\n') + '\n';
}
