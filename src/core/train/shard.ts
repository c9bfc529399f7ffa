/**
 * How a step's micro-batches are computed on CPU backends (docs/performance.md, "Every core for training"):
 *
 * - **Sub-batches by length.** Rows are padded to the longest row of their batch, and on a CPU every
 *   padded token costs as much as a real one. A micro-batch that mixes an 800-token reflection pair with
 *   a 150-token instruction row is cheaper as two sub-batches computed one after the other.
 * - **Instances.** With data-parallel replicas, the sub-batches are spread over the instances (this one
 *   + the replicas), which compute at the same time. With gradient accumulation an instance may take
 *   whole micro-batches while another takes others.
 * - **Split pairs.** With several instances a (teacher, student) pair, whose KL term pairs their
 *   positions, may be split over two of them (splitItems, OUTSIDE_TEACHER_COST); with shared memory the
 *   teacher's instance hands the KL target to the student's (exchange.ts: stepHostBatches gives each split
 *   pair a slot, and each instance computes its publishing sub-batches first).
 *
 * planStep chooses: each micro-batch's items, sorted by length, are cut into k contiguous groups of least
 * padded cost, the groups are assigned longest-first to the least-loaded instance, and the plan with the
 * smallest makespan wins. Cost of a group of r rows padded to T: r·T·(1 + T / attentionTokens) +
 * overheadTokens (linear layers grow with T, attention with T²; a sub-batch has a fixed cost of its own).
 *
 * Every sub-batch's losses are normalised by its micro-batch's counts × the step's micro-batches
 * (HostBatch.norm), so the sub-batches' losses and gradients add up to the step's: the same step as
 * one instance computing micro-batch after micro-batch, up to float order.
 */
import { ShapeError } from '../errors.ts';
import type { TrainRow } from '../distill/rows.ts';
import type { LlamaConfig } from '../model/config.ts';
import { klPositions, makeHostBatch, type HostBatch, type PublishRow } from './batch.ts';
import type { TargetSlot } from './exchange.ts';
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
  /**
   * Do the instances share memory (exchange.ts)? Then a split pair's student takes its KL target from the
   * teacher's instance instead of running the teacher's forward itself.
   */
  teacherExchange?: boolean;
}

/** One micro-batch as one batch on one instance (GPU backends, and the reference the plans are tested against). */
export const WHOLE: ShardOptions = { instances: 1, subBatches: false, attentionTokens: 1 };

/**
 * Fixed cost of a sub-batch in padded tokens. Measured (mini model, wasm, loss + gradients of one row):
 * 43 ms at 32 tokens, 48 ms at 100, 77 ms for two rows of 100 — about 25 ms of per-kernel overhead, at
 * ≈ 0.24 ms per short-row token: ~100 tokens.
 */
const DEFAULT_OVERHEAD = 100;

/**
 * The row length at which a row's attention work equals its linear layers'. By FLOPs: linear FLOPs per
 * token ÷ 4·dim (QKᵀ and PV per key). The T² part also carries the softmax, the masks and their
 * gradients, which FLOPs do not count: measured on the mini model (wasm), the per-token cost of a row
 * rises 1.9× from 100 to 600 tokens, which gives 455 tokens, 0.6 × its FLOP figure (772).
 */
export function attentionTokens(c: Pick<LlamaConfig, 'dim' | 'nHeads' | 'nKvHeads' | 'ffnDim'>): number {
  const kvDim = (c.dim / c.nHeads) * c.nKvHeads;
  const linear = 2 * (c.dim * (c.dim + 2 * kvDim) + c.dim * c.dim + 3 * c.dim * c.ffnDim);
  return (0.6 * linear) / (4 * c.dim);
}

type Pair = { teacher: TrainRow; student: TrainRow };

interface Item {
  /** A whole pair, or (in a batch with its teachers outside) a pair's student row. */
  pair?: Pair;
  /** A generation row, or a split pair's teacher row computed as one (its CE only). */
  row?: TrainRow;
  /** For a split pair's teacher row: the pair (its row publishes the student's KL target, exchange.ts). */
  teacherOf?: Pair;
  rows: number;
  len: number;
  order: number;
}

interface Group {
  micro: number;
  items: Item[];
  cost: number;
  /** The group's pairs are student rows whose teachers are outside the batch (a split pair). */
  teacherOutside: boolean;
}

/**
 * Splitting a pair over two instances: its teacher row is computed as a row of its own (CE only: the
 * teacher is detached in the KL term) and its student row with the teacher's KL target. Without shared
 * memory that target comes from a forward without gradients on the student's instance — a forward is about
 * a third of forward + backward, so the student's side costs 4/3 of a row; with it (exchange.ts) the
 * teacher's instance hands the target over and the student's side costs one row.
 */
const OUTSIDE_TEACHER_COST = 4 / 3;

/**
 * For each k = 1…n: the least-cost cut of one micro-batch's items, sorted by length, into k contiguous
 * groups (dynamic programming over the cut points). groupings[k - 1] is the cut into k groups.
 */
function groupings(items: Item[], micro: number, o: ShardOptions, teacherOutside = false): Group[][] {
  const n = items.length;
  const factor = teacherOutside && !o.teacherExchange ? OUTSIDE_TEACHER_COST : 1;
  const sorted = [...items].sort((a, b) => b.len - a.len || a.order - b.order);
  const overhead = o.overheadTokens ?? DEFAULT_OVERHEAD;
  // cost of sorted[l..i) as one batch: padded to sorted[l].len (the longest).
  const cost = (l: number, i: number): number => {
    let r = 0;
    for (let j = l; j < i; j++) r += sorted[j]!.rows;
    const T = sorted[l]!.len;
    return factor * r * T * (1 + T / o.attentionTokens) + overhead;
  };
  // best[k][i]: least total cost of sorted[0..i) in k contiguous groups; cut[k][i]: where the last group starts.
  const best: number[][] = [[0, ...new Array<number>(n).fill(Infinity)]];
  const cut: number[][] = [[]];
  const out: Group[][] = [];
  for (let k = 1; k <= n; k++) {
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
    const groups: Group[] = [];
    for (let i = n, j = k; j > 0; j--) {
      const l = cut[j]![i]!;
      groups.unshift({
        micro,
        items: sorted.slice(l, i).sort((a, b) => a.order - b.order),
        cost: cost(l, i),
        teacherOutside,
      });
      i = l;
    }
    out.push(groups);
  }
  return out;
}

/** Longest-processing-time-first: each group (costliest first) to the least-loaded instance. */
function assign(groups: Group[], instances: number): { makespan: number; byInstance: Group[][] } {
  const load = new Array<number>(Math.min(instances, groups.length)).fill(0);
  const byInstance: Group[][] = load.map(() => []);
  for (const g of [...groups].sort((a, b) => b.cost - a.cost)) {
    let m = 0;
    for (let s = 1; s < load.length; s++) if (load[s]! < load[m]!) m = s;
    load[m]! += g.cost;
    byInstance[m]!.push(g);
  }
  // Inside an instance: sub-batches that publish a split pair's KL target first (exchange.ts: whoever waits
  // for it then waits only for another instance's first sub-batches, never for itself), then micro-batch
  // order, then length order (deterministic, and readable in a trace).
  const publishes = (g: Group) => (g.items.some((it) => it.teacherOf) ? 0 : 1);
  for (const list of byInstance)
    list.sort((a, b) => publishes(a) - publishes(b) || a.micro - b.micro || a.items[0]!.order - b.items[0]!.order);
  return { makespan: Math.max(...load), byInstance };
}

/**
 * A planned sub-batch: rows of micro-batch `micro`; `teacherOutside`: its pairs' teachers are outside it;
 * `teacherOf[j]`: the split pair whose teacher row is rows.others[j], if it is one.
 */
export interface PlannedSub {
  micro: number;
  rows: StepRows;
  teacherOutside?: boolean;
  teacherOf?: (Pair | undefined)[];
}

/**
 * [instance][sub-batch] for the micro-batches of one optimizer step: what each instance computes, one
 * sub-batch after the other. Sub-batches never mix micro-batches. Candidates, for each choice of pairs to
 * split (none; the j-th longest of every micro-batch; all — only with several instances): every
 * micro-batch cut into min(k, its items) groups for k = 1…, and every micro-batch at its own least-cost
 * cut. Each candidate's groups are assigned longest-first; the smallest makespan wins, then the least
 * work, then the fewest groups. Without sub-batches, a micro-batch is one batch, or one per instance when
 * it is alone in the step.
 */
export function planStep(micro: readonly StepRows[], o: ShardOptions): PlannedSub[][] {
  if (!Number.isInteger(o.instances) || o.instances < 1)
    throw new ShapeError(`instances must be an integer ≥ 1, found ${o.instances}`);
  if (micro.length === 0) throw new ShapeError('a training step needs at least one micro-batch, found none');
  for (const rows of micro)
    if (rows.pairs.length + rows.others.length === 0)
      throw new ShapeError('a micro-batch needs at least one row, found none');
  const whole = micro.map((rows) => splitItems(rows, () => false).whole);
  const total = (gs: Group[]) => gs.reduce((s, g) => s + g.cost, 0);
  /** Candidates from per-micro-batch options: min(k, its cuts) groups for k = 1…, and each at its least cost. */
  const candidatesOf = (options: Group[][][][]): Group[][] => {
    const out: Group[][] = [];
    const kMax = Math.max(...options.flat().map((g) => g.length));
    const pick = (g: Group[][], k: number) => (g.length ? g[Math.min(k, g.length) - 1]! : []);
    for (let k = 1; k <= kMax; k++) out.push(options.flatMap((classes) => classes.flatMap((g) => pick(g, k))));
    const cheapest = (g: Group[][]) => (g.length ? g.reduce((a, b) => (total(b) < total(a) ? b : a)) : []);
    out.push(options.flatMap((classes) => classes.flatMap(cheapest)));
    return out;
  };
  const candidates: Group[][] = [];
  if (!o.subBatches) {
    const k = micro.length === 1 ? o.instances : 1;
    const options = whole.map((items, m) => groupings(items, m, o));
    candidates.push(options.flatMap((g) => g[Math.min(k, g.length) - 1]!));
  } else {
    // Which pairs to split (o.instances > 1 only): none; the j-th longest pair of every micro-batch (one
    // split pair is often all it takes to even out the instances); every pair.
    const maxPairs = o.instances > 1 ? Math.max(...micro.map((rows) => rows.pairs.length)) : 0;
    const choices: ((byLength: number) => boolean)[] = [() => false];
    for (let j = 0; j < maxPairs; j++) choices.push((byLength) => byLength === j);
    if (maxPairs > 1) choices.push(() => true);
    for (const splitIt of choices) {
      const options = micro.map((rows, m) => {
        const { whole: w, students } = splitItems(rows, splitIt);
        return [groupings(w, m, o), groupings(students, m, o, true)];
      });
      candidates.push(...candidatesOf(options));
    }
  }
  let chosen: { makespan: number; work: number; groups: number; byInstance: Group[][] } | null = null;
  for (const groups of candidates) {
    const a = assign(groups, o.instances);
    const work = total(groups);
    const same = chosen && a.makespan <= chosen.makespan * (1 + 1e-9);
    const better =
      !chosen ||
      a.makespan < chosen.makespan * (1 - 1e-9) ||
      (same && work < chosen.work * (1 - 1e-9)) ||
      (same && work <= chosen.work * (1 + 1e-9) && groups.length < chosen.groups);
    if (better) chosen = { ...a, work, groups: groups.length };
  }
  return chosen!.byInstance.map((list) =>
    list.map((g) => {
      const rows: StepRows = { pairs: [], others: [] };
      const teacherOf: (Pair | undefined)[] = [];
      for (const it of g.items) {
        if (it.pair) rows.pairs.push(it.pair);
        else {
          rows.others.push(it.row!);
          teacherOf.push(it.teacherOf);
        }
      }
      return {
        micro: g.micro,
        rows,
        ...(g.teacherOutside ? { teacherOutside: true } : {}),
        ...(teacherOf.some(Boolean) ? { teacherOf } : {}),
      };
    }),
  );
}

/**
 * A micro-batch's items with the pairs `splitIt(rank by length)` chooses split (rank 0 = the longest): such
 * a pair's teacher row becomes a row of its own (its CE only), among the whole items; its student row goes
 * to `students` (batches with their teachers outside).
 */
function splitItems(rows: StepRows, splitIt: (byLength: number) => boolean): { whole: Item[]; students: Item[] } {
  const n = rows.pairs.length;
  const rank = new Map(
    rows.pairs
      .map((p, i) => ({ i, len: p.teacher.ids.length }))
      .sort((a, b) => b.len - a.len || a.i - b.i)
      .map((x, r) => [x.i, r]),
  );
  const whole: Item[] = [];
  const students: Item[] = [];
  rows.pairs.forEach((p, i) => {
    const len = p.teacher.ids.length;
    if (!splitIt(rank.get(i)!)) return whole.push({ pair: p, rows: 2, len, order: i });
    whole.push({ row: { ...p.teacher, kind: 'generation' }, teacherOf: p, rows: 1, len, order: i });
    students.push({ pair: p, rows: 1, len, order: i });
  });
  rows.others.forEach((r, i) => whole.push({ row: r, rows: 1, len: r.ids.length, order: n + i }));
  return { whole, students };
}

/**
 * The host batches of one optimizer step: [instance][sub-batch]. With one micro-batch computed as one
 * batch, it keeps its own counts as its denominators (no `norm`). Otherwise every sub-batch of
 * micro-batch m carries m's counts × the number of micro-batches as `norm`: each micro-batch's losses
 * are token means over the micro-batch, scaled by 1 / micro-batches, so the sum over every sub-batch of
 * the step is the mean over micro-batches of the micro-batch losses (and gradients), as gradient
 * accumulation computes it.
 */
export function stepHostBatches(
  micro: readonly StepRows[],
  o: ShardOptions,
  padId: number,
  objective: Objective,
): HostBatch[][] {
  const plan = planStep(micro, o);
  // With shared memory, every split pair gets a slot of the exchange: k rows (its student's KL positions).
  const slots = new Map<Pair, TargetSlot>();
  if (o.teacherExchange) {
    let rowOffset = 0;
    for (const sub of plan.flat())
      for (const pair of sub.teacherOf ?? []) {
        if (!pair) continue;
        const k = klPositions(pair.student, objective).length;
        slots.set(pair, { slot: slots.size, rowOffset, k });
        rowOffset += k;
      }
  }
  const hosts = plan.map((subs) =>
    subs.map((s) => {
      const publish: PublishRow[] = [];
      s.teacherOf?.forEach((pair, row) => {
        const slot = pair && slots.get(pair);
        if (slot) publish.push({ row, student: pair.student, slot });
      });
      const teacherSlots = s.teacherOutside && slots.size ? s.rows.pairs.map((p) => slots.get(p)!) : undefined;
      return {
        micro: s.micro,
        host: makeHostBatch(s.rows.pairs, s.rows.others, padId, objective, s.teacherOutside === true, {
          ...(teacherSlots ? { teacherSlots } : {}),
          ...(publish.length ? { publish } : {}),
        }),
      };
    }),
  );
  const all = hosts.flat();
  if (all.length > 1) {
    const counts = micro.map(() => ({ teacher: 0, student: 0, kl: 0 }));
    for (const { micro: m, host } of all) {
      counts[m]!.teacher += host.counts.teacher;
      counts[m]!.student += host.counts.student;
      counts[m]!.kl += host.counts.kl;
    }
    const a = micro.length;
    for (const { micro: m, host } of all) {
      const c = counts[m]!;
      host.norm = { teacher: c.teacher * a, student: c.student * a, kl: c.kl * a };
    }
  }
  return hosts.map((subs) => subs.map((s) => s.host));
}
