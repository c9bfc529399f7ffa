/**
 * Data parallelism (docs/performance.md, "Data-parallel workers"): the rows of one micro-batch split
 * into shards that separate tfjs instances compute at the same time, one per core. A (teacher,
 * student) pair stays in one shard (the KL term pairs their positions). Shards are balanced by
 * tokens: longest item first, each to the lightest shard; inside a shard the rows keep their order.
 * Every shard's losses are normalised by the whole micro-batch's counts (HostBatch.norm), so the
 * shards' losses and gradients add up to the micro-batch's: the same step as one instance computes.
 */
import { ShapeError } from '../errors.ts';
import type { TrainRow } from '../distill/rows.ts';
import { makeHostBatch, type HostBatch } from './batch.ts';
import type { Objective } from './config.ts';

/** The rows of one micro-batch: (teacher, student) pairs and generation rows. */
export interface StepRows {
  pairs: { teacher: TrainRow; student: TrainRow }[];
  others: TrainRow[];
}

/** At most `width` non-empty shards of the rows (fewer when there are fewer items than shards). */
export function shardRows(rows: StepRows, width: number): StepRows[] {
  if (!Number.isInteger(width) || width < 1) throw new ShapeError(`shard width must be an integer ≥ 1, found ${width}`);
  const items = [
    ...rows.pairs.map((p, i) => ({ kind: 'pair' as const, i, tokens: 2 * p.teacher.ids.length })),
    ...rows.others.map((r, i) => ({ kind: 'other' as const, i, tokens: r.ids.length })),
  ];
  const n = Math.min(width, items.length);
  const load = new Array<number>(n).fill(0);
  const owner = new Map<(typeof items)[number], number>();
  // Longest first; ties keep the original order (a stable sort), so the split is deterministic.
  for (const it of [...items].sort((a, b) => b.tokens - a.tokens)) {
    let best = 0;
    for (let s = 1; s < n; s++) if (load[s]! < load[best]!) best = s;
    load[best]! += it.tokens;
    owner.set(it, best);
  }
  const shards: StepRows[] = Array.from({ length: n }, () => ({ pairs: [], others: [] }));
  for (const it of items) {
    const s = shards[owner.get(it)!]!;
    if (it.kind === 'pair') s.pairs.push(rows.pairs[it.i]!);
    else s.others.push(rows.others[it.i]!);
  }
  return shards;
}

/**
 * The host batches of one micro-batch's shards. Width 1: the micro-batch itself (its own counts are its
 * denominators). Otherwise every shard carries the micro-batch's counts as `norm`.
 */
export function shardHostBatches(rows: StepRows, width: number, padId: number, objective: Objective): HostBatch[] {
  if (width === 1) return [makeHostBatch(rows.pairs, rows.others, padId, objective)];
  const shards = shardRows(rows, width).map((s) => makeHostBatch(s.pairs, s.others, padId, objective));
  const norm = { teacher: 0, student: 0, kl: 0 };
  for (const h of shards) {
    norm.teacher += h.counts.teacher;
    norm.student += h.counts.student;
    norm.kl += h.counts.kl;
  }
  for (const h of shards) h.norm = { ...norm };
  return shards;
}
