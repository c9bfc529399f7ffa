/** Table aggregation: mean ± sample std over seeds, row order, separated pairs, Markdown and the --json summary. */
import { describe, expect, it } from 'vitest';
import { summaryLine } from '../../../src/services/experiment/runner.ts';
import type { CellResult } from '../../../src/services/experiment/single-run.ts';
import { markdownTable, separatedPairs, stat, tableRows } from '../../../src/services/experiment/stats.ts';
import { rowOrder, TABLE2_VARIANTS } from '../../../src/services/experiment/variants.ts';

const cell = (variant: string, seed: number, seen: number, unseen: number, valLoss: number | null = 1): CellResult => ({
  variant,
  seed,
  steps: 10,
  valLoss,
  curve: [],
  trainSec: 1,
  evalSec: 1,
  seen: { passed: seen, total: 10, passAt1: seen / 10, passedKeys: [] },
  unseen: { passed: unseen, total: 5, passAt1: unseen / 5, passedKeys: [] },
});

describe('experiment statistics', () => {
  it('computes the sample standard deviation (n − 1) and 0 for one seed', () => {
    expect(stat([1, 2, 3])).toEqual({ mean: 2, std: 1, n: 3 });
    expect(stat([4])).toEqual({ mean: 4, std: 0, n: 1 });
    expect(stat([]).n).toBe(0);
  });

  it('builds rows in Table 2 order with untrained and reference last, and names separated pairs', () => {
    const cells = [
      cell('reference', 0, 10, 5, null),
      ...[0, 1, 2].flatMap((s) => [
        cell('untrained', s, 0, 0),
        cell('reflectioncoder', s, 6 + s, 1),
        cell('no-reflection-data', s, 1 + (s % 2), 1),
      ]),
    ];
    const rows = tableRows(cells, rowOrder(TABLE2_VARIANTS));
    expect(rows.map((r) => r.variant)).toEqual(['reflectioncoder', 'no-reflection-data', 'untrained', 'reference']);
    expect(rows[0]!.seen).toEqual({ mean: 70, std: 10, n: 3 });
    expect(rows.at(-1)!.valLoss).toBeNull();
    expect(separatedPairs(rows, 'seen')).toEqual(['reflectioncoder > no-reflection-data (56.7 points)']);
    expect(separatedPairs(rows, 'unseen')).toEqual([]);
    const md = markdownTable(rows, { preset: 'demo', seeds: [0, 1, 2], seenTasks: 10, unseenTasks: 5 });
    expect(md).toContain(
      '| ReflectionCoder (block mask, E-A-C) (`reflectioncoder`) | 70.0 ± 10.0 | 20.0 ± 0.0 | 1.000 ± 0.000 |',
    );
    const summary = JSON.parse(summaryLine({ preset: 'demo', seeds: [0, 1, 2], fingerprint: 'x', cells, rows }));
    expect(summary).toMatchObject({ summary: true, preset: 'demo', seeds: [0, 1, 2] });
    expect(summary.rows[0]).toMatchObject({
      variant: 'reflectioncoder',
      seen: { mean: 70, std: 10, n: 3 },
      unseen: { mean: 20, std: 0, n: 3 },
    });
  });
});
