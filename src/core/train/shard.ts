/**
 * How one micro-batch is computed on CPU backends (docs/performance.md, "Data-parallel workers"):
 *
 * - **Sub-batches by length.** Rows are padded to the longest row of their batch, and on a CPU every
 *   padded token costs as much as a real one. A micro-batch that mixes an 800-token reflection pair with
 *   a 150-token instruction row is cheaper as two sub-batches computed one after the other.
 * - **Instances.** With data-parallel replicas, the sub-batches are spread over the instances
 *   (this one + the replicas), which compute at the same time.
 *
 * planShards chooses both: items (a (teacher, student) pair stays together: the KL term pairs their
 * positions; a generation row alone) sorted by length are cut into k contiguous groups of least
 * padded cost for each k, the groups assigned longest-first to the least-loaded instance, and the k
 * with the smallest makespan (then the fewest groups) wins. Cost of a group of r rows padded to T:
 * r·T·(1 + T / attentionTokens) + overheadTokens (linear layers grow with T, attention with T²; a
 * sub-batch has a fixed cost of its own).
 *
 * Every sub-batch's losses are normalised by the whole micro-batch's counts (HostBatch.norm), so the
 * sub-batches' losses and gradients add up to the micro-batch's: the same step, up to float order.
 */
import { ShapeError } from '../errors.ts';
import type { TrainRow } from '../distill/rows.ts';
import type { LlamaConfig } from '../model/config.ts';
import { makeHostBatch, type HostBatch } from './batch.ts';
import type { Objective } from './config.ts';

/** The rows of one micro-batch: (teacher, student) pairs and generation rows. */
export interface StepRows {
  pairs: { teacher: TrainRow; student: TrainRow }[];
  others: TrainRow[];
}

export interface ShardOptions {
  /** Instances computing at the same time (this one + data-parallel replicas). */
  instances: number;
  /** May a micro-batch be cut into sub-batches by length? (CPU backends: yes; a GPU wants big batches.) */
  subBatches: boolean;
  /** Row length at which a row's attention costs as much as its linear layers (attentionTokens()). */
  attentionTokens: number;
  /** Fixed cost of one more sub-batch, in padded tokens. */
  overheadTokens?: number;
}

/** One micro-batch as one batch on one instance (GPU backends, and the reference the plans are tested against). */
export const WHOLE: ShardOptions = { instances: 1, subBatches: false, attentionTokens: 1 };

const DEFAULT_OVERHEAD = 64;

/** Forward FLOPs per token of the linear layers ÷ attention FLOPs per token per key (4·dim). */
export function attentionTokens(c: Pick<LlamaConfig, 'dim' | 'nHeads' | 'nKvHeads' | 'ffnDim'>): number {
  const kvDim = (c.dim / c.nHeads) * c.nKvHeads;
  const linear = 2 * (c.dim * (c.dim + 2 * kvDim) + c.dim * c.dim + 3 * c.dim * c.ffnDim);
  return linear / (4 * c.dim);
}

interface Item {
  pair?: { teacher: TrainRow; student: TrainRow };
  row?: TrainRow;
  rows: number;
  len: number;
  order: number;
}

/** [instance][sub-batch]: what each instance computes, one sub-batch after the other. No empty entries. */
export function planShards(rows: StepRows, o: ShardOptions): StepRows[][] {
  if (!Number.isInteger(o.instances) || o.instances < 1)
    throw new ShapeError(`instances must be an integer ≥ 1, found ${o.instances}`);
  const items: Item[] = [
    ...rows.pairs.map((p, i) => ({ pair: p, rows: 2, len: p.teacher.ids.length, order: i })),
    ...rows.others.map((r, i) => ({ row: r, rows: 1, len: r.ids.length, order: rows.pairs.length + i })),
  ];
  const n = items.length;
  if (n === 0) throw new ShapeError('a micro-batch needs at least one row, found none');
  const sorted = [...items].sort((a, b) => b.len - a.len || a.order - b.order);
  const overhead = o.overheadTokens ?? DEFAULT_OVERHEAD;
  // cost of sorted[l..i) as one batch: padded to sorted[l].len (the longest).
  const cost = (l: number, i: number): number => {
    let r = 0;
    for (let j = l; j < i; j++) r += sorted[j]!.rows;
    const T = sorted[l]!.len;
    return r * T * (1 + T / o.attentionTokens) + overhead;
  };
  // best[k][i]: least total cost of sorted[0..i) in k contiguous groups; cut[k][i]: where the last group starts.
  const best: number[][] = [[0, ...new Array<number>(n).fill(Infinity)]];
  const cut: number[][] = [[]];
  const kMax = o.subBatches ? n : Math.min(o.instances, n);
  for (let k = 1; k <= kMax; k++) {
    best[k] = new Array<number>(n + 1).fill(Infinity);
    cut[k] = new Array<number>(n + 1).fill(0);
    for (let i = k; i <= n; i++) {
      for (let l = k - 1; l < i; l++) {
        const c = best[k - 1]![l]! + cost(l, i);
        if (c < best[k]![i]!) {
          best[k]![i] = c;
          cut[k]![i] = l;
        }
      }
    }
  }
  let chosen: { makespan: number; groups: { from: number; to: number; cost: number; instance: number }[] } | null =
    null;
  const kMin = o.subBatches ? 1 : Math.min(o.instances, n);
  for (let k = kMin; k <= kMax; k++) {
    const groups: { from: number; to: number; cost: number; instance: number }[] = [];
    for (let i = n, j = k; j > 0; j--) {
      const l = cut[j]![i]!;
      groups.unshift({ from: l, to: i, cost: cost(l, i), instance: 0 });
      i = l;
    }
    const load = new Array<number>(Math.min(o.instances, k)).fill(0);
    for (const g of [...groups].sort((a, b) => b.cost - a.cost)) {
      let m = 0;
      for (let s = 1; s < load.length; s++) if (load[s]! < load[m]!) m = s;
      load[m]! += g.cost;
      g.instance = m;
    }
    const makespan = Math.max(...load);
    if (!chosen || makespan < chosen.makespan * (1 - 1e-9)) chosen = { makespan, groups };
  }
  const out: StepRows[][] = [];
  for (const g of chosen!.groups) {
    const members = sorted.slice(g.from, g.to).sort((a, b) => a.order - b.order);
    const sub: StepRows = { pairs: [], others: [] };
    for (const it of members) {
      if (it.pair) sub.pairs.push(it.pair);
      else sub.others.push(it.row!);
    }
    (out[g.instance] ??= []).push(sub);
  }
  return out.filter((x) => x.length > 0);
}

/**
 * The host batches of one micro-batch: [instance][sub-batch]. A single batch keeps its own counts as its
 * denominators (no `norm`); otherwise every sub-batch carries the micro-batch's counts as `norm`.
 */
export function shardHostBatches(rows: StepRows, o: ShardOptions, padId: number, objective: Objective): HostBatch[][] {
  const plan = planShards(rows, o);
  const hosts = plan.map((subs) => subs.map((s) => makeHostBatch(s.pairs, s.others, padId, objective)));
  const all = hosts.flat();
  if (all.length === 1) return hosts;
  const norm = { teacher: 0, student: 0, kl: 0 };
  for (const h of all) {
    norm.teacher += h.counts.teacher;
    norm.student += h.counts.student;
    norm.kl += h.counts.kl;
  }
  for (const h of all) h.norm = { ...norm };
  return hosts;
}
