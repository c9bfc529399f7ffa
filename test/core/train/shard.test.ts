/**
 * Data-parallel shards (src/core/train/shard.ts): how a micro-batch's rows are split, and that the
 * shards' losses and gradients add up to the micro-batch's — against the official objective's PyTorch
 * fixture (two records split over two shards), and against the unsplit batch for mixed batches with
 * generation rows under both objectives.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LOSS_WEIGHTS, reflectionDistillLoss } from '../../../src/core/distill/loss.ts';
import { generationRow, studentRow, teacherRow, type TrainRow } from '../../../src/core/distill/rows.ts';
import type { LlamaModel } from '../../../src/core/model/llama.ts';
import { parseSafetensors } from '../../../src/core/model/safetensors.ts';
import type { Objective } from '../../../src/core/train/config.ts';
import {
  attentionTokens,
  planStep,
  stepHostBatches,
  WHOLE,
  type PlannedSub,
  type ShardOptions,
  type StepRows,
} from '../../../src/core/train/shard.ts';
import { localGrads, localRunner, lossAndGrads, type BatchGrads } from '../../../src/core/train/step.ts';
import {
  batchToTensors,
  disposeBatch,
  klPositions,
  makeHostBatch,
  type HostBatch,
} from '../../../src/core/train/batch.ts';
import { TeacherExchange, type TargetSlot } from '../../../src/core/train/exchange.ts';
import { selectNodeBackend } from '../../../src/platform/node/backend.ts';
import { loadTinyModel } from '../model/fixture.ts';
import { FIXTURES, loadOfficialLossFixture } from '../helpers/fixture-record.ts';
import { expectGradsMatchFixture } from '../helpers/grad-compare.ts';
import { officialEncoded, officialVisibility } from '../distill/official-case.ts';

const fx = loadOfficialLossFixture();
const encs = officialEncoded(fx);
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-6);
/** ‖got − want‖ / ‖want‖. */
function relNormError(got: Float32Array, want: Float32Array): number {
  let dn = 0;
  let wn = 0;
  for (let i = 0; i < want.length; i++) {
    dn += (got[i]! - want[i]!) ** 2;
    wn += want[i]! ** 2;
  }
  return Math.sqrt(dn / Math.max(wn, 1e-30));
}

function row(kind: TrainRow['kind'], n: number): TrainRow {
  return {
    kind,
    ids: Array.from({ length: n }, (_, i) => i + 1),
    positions: Array.from({ length: n }, (_, i) => i),
    keyVisible: new Array<boolean>(n).fill(true),
    targets: new Array<boolean>(n).fill(true),
  } as TrainRow;
}
const pair = (n: number) => ({ teacher: row('teacher', n), student: row('student', n) });

const lens = (plan: PlannedSub[][]) =>
  plan.map((subs) =>
    subs.map(({ rows: sub, teacherOutside }) => [
      ...sub.pairs.map((p) => `${teacherOutside ? 's' : 'p'}${p.teacher.ids.length}`),
      ...sub.others.map((r) => `g${r.ids.length}`),
    ]),
  );
const planShards = (rows: StepRows, o: ShardOptions) => planStep([rows], o);
const shardHostBatches = (rows: StepRows, o: ShardOptions, pad: number, objective: Objective) =>
  stepHostBatches([rows], o, pad, objective);
const MINI_A = 772; // ≈ attentionTokens of a dim-128 model

describe('planShards', () => {
  it('attentionTokens: 0.6 × linear FLOPs per token over 4·dim (dim 64, 4 heads, 2 kv heads, ffn 172: 0.6 × 354)', () => {
    expect(attentionTokens({ dim: 64, nHeads: 4, nKvHeads: 2, ffnDim: 172 })).toBeCloseTo(212.4, 9);
  });

  it('WHOLE keeps the micro-batch as one batch on one instance', () => {
    const rows: StepRows = { pairs: [pair(800), pair(100)], others: [row('generation', 150)] };
    expect(lens(planShards(rows, WHOLE))).toEqual([[['p800', 'p100', 'g150']]]);
  });

  it('one instance: a long pair and short rows become two sub-batches; rows of one length stay one batch', () => {
    const o = { instances: 1, subBatches: true, attentionTokens: MINI_A };
    // One batch: 5·800·(1 + 800/772) + 64 ≈ 8208; apart: 2·800·2.036 + 64 ≈ 3322 and 3·150·1.194 + 64 ≈ 601.
    expect(
      lens(
        planShards(
          { pairs: [pair(800)], others: [row('generation', 150), row('generation', 120), row('generation', 140)] },
          o,
        ),
      ),
    ).toEqual([[['p800'], ['g150', 'g120', 'g140']]]);
    // Equal lengths: splitting saves no padding and costs the per-batch overhead.
    expect(
      lens(
        planShards({ pairs: [], others: [row('generation', 300), row('generation', 300), row('generation', 300)] }, o),
      ),
    ).toEqual([[['g300', 'g300', 'g300']]]);
  });

  it('two instances: the work is spread to the smallest makespan, pairs stay together, order is kept inside a batch', () => {
    const o = { instances: 2, subBatches: true, attentionTokens: MINI_A };
    expect(lens(planShards({ pairs: [pair(400), pair(410)], others: [] }, o))).toEqual([[['p410']], [['p400']]]);
    const plan = planShards(
      { pairs: [pair(800), pair(300)], others: [row('generation', 150), row('generation', 700)] },
      o,
    );
    // Both instances at 3358 either way; apart, p300, g150 and g700 cost less than with g150 padded to 300.
    expect(lens(plan)).toEqual([[['p800']], [['p300'], ['g150'], ['g700']]]);
    // Without sub-batches: exactly one batch per instance.
    const whole = planShards(
      { pairs: [pair(800), pair(300)], others: [row('generation', 150), row('generation', 700)] },
      { ...o, subBatches: false },
    );
    expect(whole.map((s) => s.length)).toEqual([1, 1]);
    expect(lens(whole).flat(2).sort()).toEqual(['g150', 'g700', 'p300', 'p800']);
  });

  it('gradient accumulation: small micro-batches go whole to the instances instead of being split', () => {
    const o = { instances: 2, subBatches: true, attentionTokens: MINI_A };
    const micro = [0, 1, 2, 3].map((m) => ({
      pairs: [],
      others: [row('generation', 80 + m), row('generation', 70 + m)],
    }));
    const plan = planStep(micro, o);
    expect(plan.map((subs) => subs.map((s) => s.micro))).toEqual([
      [0, 3],
      [1, 2],
    ]);
    expect(plan.flat().every((s) => s.rows.others.length === 2)).toBe(true);
  });

  it('splits a pair when that evens the instances: its teacher as a row of its own, its student with the teacher outside', () => {
    const o = { instances: 2, subBatches: true, attentionTokens: MINI_A };
    // One pair and a short row: whole, one instance holds the pair (≈ 2 rows); split, ≈ 4/3 row each side.
    expect(lens(planShards({ pairs: [pair(600)], others: [row('generation', 100)] }, o))).toEqual([
      [['s600']],
      [['g600'], ['g100']],
    ]);
    // Three similar pairs: one split pair evens them out (2 rows + 1 vs 2 rows + 4/3), not every pair.
    expect(lens(planShards({ pairs: [pair(600), pair(620), pair(640)], others: [] }, o))).toEqual([
      [['p640', 'g620']],
      [['p600'], ['s620']],
    ]);
    // One instance: never split (it only adds work).
    expect(
      lens(planShards({ pairs: [pair(600)], others: [row('generation', 100)] }, { ...o, instances: 1 })).flat(2),
    ).not.toContain('s600');
  });

  it('with shared memory (exchange.ts): a split costs no extra forward, publishing sub-batches come first, every split pair gets one slot', () => {
    const o = { instances: 2, subBatches: true, attentionTokens: MINI_A, teacherExchange: true };
    // Three similar pairs: without the extra forward, splitting every pair evens the instances exactly.
    const rows: StepRows = { pairs: [pair(600), pair(620), pair(640)], others: [row('generation', 90)] };
    const plan = planShards(rows, o);
    for (const subs of plan) {
      const publishes = subs.map((sub) => (sub.teacherOf ?? []).some(Boolean));
      expect(publishes, 'publishing sub-batches first').toEqual([...publishes].sort((a, b) => Number(b) - Number(a)));
    }
    const hosts = shardHostBatches(rows, o, 0, 'official').flat();
    const published = hosts.flatMap((h) => (h.publish ?? []).map((p) => p.slot));
    const taken = hosts.flatMap((h) => h.teacherSlots ?? []);
    expect(published.length).toBeGreaterThan(0);
    expect(new Set(published.map((x) => x.slot)).size).toBe(published.length);
    expect([...taken].sort((a, b) => a.slot - b.slot)).toEqual([...published].sort((a, b) => a.slot - b.slot));
    // Slots do not overlap, and each holds its student's KL positions (every token after the first: n − 1).
    const bySlot = [...published].sort((a, b) => a.rowOffset - b.rowOffset);
    bySlot.forEach((x, i) => i > 0 && expect(x.rowOffset).toBe(bySlot[i - 1]!.rowOffset + bySlot[i - 1]!.k));
    for (const h of hosts) for (const p of h.publish ?? []) expect(p.headRows.length).toBe(p.slot.k);
    expect(taken.map((x) => x.k).sort()).toEqual(
      hosts
        .filter((h) => h.teacherSlots)
        .flatMap((h) => h.teacherSlots!.map((x) => x.k))
        .sort(),
    );
    // Pairs of 700 and 500 tokens: kept whole without shared memory (a split costs the student a forward),
    // both split with it, which evens the instances: teachers on one, students on the other.
    const two: StepRows = { pairs: [pair(700), pair(500)], others: [] };
    expect(lens(planShards(two, { ...o, teacherExchange: false }))).toEqual([[['p700']], [['p500']]]);
    expect(lens(planShards(two, o))).toEqual([
      [['g700'], ['g500']],
      [['s700'], ['s500']],
    ]);
    expect(
      shardHostBatches(two, { ...o, teacherExchange: false }, 0, 'official')
        .flat()
        .some((h) => h.publish || h.teacherSlots),
    ).toBe(false);
  });

  it('never more instances than items; a bad instance count or no rows is refused', () => {
    const o = { instances: 4, subBatches: true, attentionTokens: MINI_A };
    expect(planShards({ pairs: [pair(30)], others: [] }, o)).toHaveLength(2); // the pair, split: 2 rows
    expect(planShards({ pairs: [], others: [row('generation', 30)] }, o)).toHaveLength(1);
    expect(() => planShards({ pairs: [pair(3)], others: [] }, { ...o, instances: 0 })).toThrow(/instances/);
    expect(() => planShards({ pairs: [], others: [] }, o)).toThrow(/at least one row/);
  });

  it('every sub-batch carries the whole micro-batch counts as its denominators; a single batch has none', () => {
    const rows: StepRows = { pairs: [pair(12), pair(300)], others: [row('generation', 9)] };
    const [[whole]] = shardHostBatches(rows, WHOLE, 0, 'official');
    expect(whole!.norm).toBeUndefined();
    const split = shardHostBatches(
      rows,
      { instances: 3, subBatches: true, attentionTokens: MINI_A },
      0,
      'official',
    ).flat();
    expect(split.length).toBeGreaterThan(1);
    for (const s of split)
      expect(s.norm).toEqual({ teacher: whole!.counts.teacher, student: whole!.counts.student, kl: whole!.counts.kl });
    expect(split.reduce((n, s) => n + s.counts.tokens, 0)).toBe(whole!.counts.tokens);
  });
});

describe('sharded losses and gradients (tiny-llama, wasm)', () => {
  let model: LlamaModel;
  beforeAll(async () => {
    await selectNodeBackend('wasm');
    model = loadTinyModel();
  });
  afterAll(() => model?.dispose());

  const caseRows = (): StepRows => ({
    pairs: fx.gradient_case.records.map((name) => {
      const e = encs[name]!;
      return { teacher: teacherRow(e), student: studentRow(e, officialVisibility(e, fx.gradient_case)) };
    }),
    others: [],
  });

  /**
   * The step's host batches computed here one after the other with a shared exchange sized for them
   * (exchange.ts), the batches that publish first (as each instance orders them; here one thread runs all).
   */
  function withExchange(hosts: HostBatch[][], timeoutMs = 2000, weights = DEFAULT_LOSS_WEIGHTS): BatchGrads {
    const slots = hosts.flat().flatMap((h) => [...(h.teacherSlots ?? []), ...(h.publish ?? []).map((p) => p.slot)]);
    const ex = new TeacherExchange(
      TeacherExchange.create(
        Math.max(1, ...slots.map((x) => x.slot + 1)),
        Math.max(0, ...slots.map((x) => x.rowOffset + x.k)),
        model.config.vocabSize,
        1,
      ).handle,
      timeoutMs,
    );
    const ordered = [...hosts.flat()].sort((a, b) => (b.publish ? 1 : 0) - (a.publish ? 1 : 0));
    return localGrads(model, ordered, weights, ex);
  }

  /** The official two-record gradient case, computed as `shards`: total, CE, KL and every gradient against PyTorch. */
  async function expectFixtureCase(shards: HostBatch[][], exchanged?: BatchGrads): Promise<void> {
    const { parts, grads } = exchanged ?? (await localRunner.run(model, shards, DEFAULT_LOSS_WEIGHTS, 0));
    try {
      const want = fx.cases.find(
        (c) => c.records.length === 2 && c.strategy === 'block' && c.order === 'etc' && c.mask_rate === 0.5,
      )!;
      const p = await parts.data();
      expect(rel(p[0]!, want.total)).toBeLessThan(1e-5);
      expect(rel(p[4]!, want.ce)).toBeLessThan(1e-5);
      expect(rel(p[3]!, want.kl)).toBeLessThan(1e-5);
      const ref = parseSafetensors(new Uint8Array(readFileSync(path.join(FIXTURES, fx.gradient_case.file))));
      await expectGradsMatchFixture(model, grads, ref);
    } finally {
      tf.dispose([parts, ...grads.values()]);
    }
  }

  it('the official two-record case split over two shards matches the PyTorch fixture (total and every gradient)', async () => {
    const shards = shardHostBatches(caseRows(), { instances: 2, subBatches: false, attentionTokens: 1 }, 0, 'official');
    expect(shards.map((s) => s.map((h) => h.nPairs))).toEqual([[1], [1]]);
    await expectFixtureCase(shards);
  });

  /** Both pairs of the fixture case split: teachers as rows of one batch, students in another; with `slots`, through the exchange. */
  function bothSplit(slots?: TargetSlot[]): [HostBatch, HostBatch] {
    const rows = caseRows();
    const teachers = makeHostBatch(
      [],
      rows.pairs.map((p) => ({ ...p.teacher, kind: 'generation' as const })),
      0,
      'official',
      false,
      slots ? { publish: rows.pairs.map((p, i) => ({ row: i, student: p.student, slot: slots[i]! })) } : {},
    );
    const students = makeHostBatch(rows.pairs, [], 0, 'official', true, slots ? { teacherSlots: slots } : {});
    const norm = {
      teacher: teachers.counts.teacher + students.counts.teacher,
      student: teachers.counts.student + students.counts.student,
      kl: teachers.counts.kl + students.counts.kl,
    };
    teachers.norm = { ...norm };
    students.norm = { ...norm };
    return [teachers, students];
  }

  it('the official two-record case with both pairs split (teachers as rows of their own, students with their teachers outside) matches the PyTorch fixture', async () => {
    const [teachers, students] = bothSplit();
    expect(students.teacherOutside).toBeDefined();
    await expectFixtureCase([[teachers], [students]]);
  });

  const caseSlots = (): TargetSlot[] => {
    let rowOffset = 0;
    return caseRows().pairs.map((p, slot) => {
      const k = klPositions(p.student, 'official').length;
      rowOffset += k;
      return { slot, rowOffset: rowOffset - k, k };
    });
  };

  it('both pairs split, their KL targets handed over in shared memory (exchange.ts): matches the PyTorch fixture', async () => {
    const [teachers, students] = bothSplit(caseSlots());
    expect(teachers.publish?.map((p) => p.headRows.length)).toEqual(caseSlots().map((x) => x.k));
    await expectFixtureCase([[teachers], [students]], withExchange([[teachers], [students]]));
  });

  it('the students read the exchange (other rows there change the KL); with nothing there they compute the teachers themselves', async () => {
    const slots = caseSlots();
    const [teachers, students] = bothSplit(slots);
    const V = model.config.vocabSize;
    // Uniform "teacher" rows in the slots: the students' KL is then another number than the fixture's.
    const ex = TeacherExchange.create(2, slots[1]!.rowOffset + slots[1]!.k, V, 1);
    for (const x of slots) ex.publish(x, new Float32Array(x.k * V).fill(-Math.log(V)));
    const tampered = lossAndGrads(model, students, DEFAULT_LOSS_WEIGHTS, ex);
    const want = fx.cases.find(
      (c) => c.records.length === 2 && c.strategy === 'block' && c.order === 'etc' && c.mask_rate === 0.5,
    )!;
    expect(rel((await tampered.parts.data())[3]!, want.kl)).toBeGreaterThan(1e-2);
    tf.dispose([tampered.parts, ...tampered.grads.values()]);
    // Students first, nothing published in time: each falls back to its teachers' forward (not taped), and
    // the step is still the fixture's.
    const t0 = performance.now();
    const late = (() => {
      const ex2 = new TeacherExchange({ ...ex.handle, generation: 2 }, 50);
      return localGrads(model, [students, teachers], DEFAULT_LOSS_WEIGHTS, ex2);
    })();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(50);
    await expectFixtureCase([[teachers], [students]], late);
  });

  it('a batch with its teachers outside refuses to run without their log-probabilities, and the reverse', () => {
    const b = batchToTensors(makeHostBatch(caseRows().pairs, [], 0, 'official', true));
    const whole = batchToTensors(makeHostBatch(caseRows().pairs, [], 0, 'official'));
    try {
      expect(() => tf.tidy(() => reflectionDistillLoss(model, b).total)).toThrow(/outside/);
      expect(() =>
        tf.tidy(() => reflectionDistillLoss(model, whole, DEFAULT_LOSS_WEIGHTS, tf.zeros([1, 1])).total),
      ).toThrow(/outside/);
      expect(() => makeHostBatch(caseRows().pairs, [row('generation', 5)], 0, 'official', true)).toThrow(/pairs only/);
    } finally {
      disposeBatch(b);
      disposeBatch(whole);
    }
  });

  it('two micro-batches over 1 and 2 instances give the mean of the micro-batch losses and gradients', async () => {
    const [a, b] = [encs.A!, encs.B!];
    const m0: StepRows = {
      pairs: [{ teacher: teacherRow(a), student: studentRow(a, officialVisibility(a, fx.gradient_case)) }],
      others: [generationRow(b)],
    };
    const m1: StepRows = { pairs: [], others: [generationRow(a), generationRow(b)] };
    const weights = DEFAULT_LOSS_WEIGHTS;
    // Reference: each micro-batch alone with its own counts, then the mean (what accumulation computes).
    const alone = [m0, m1].map((m) =>
      localRunner.run(model, [[makeHostBatch(m.pairs, m.others, 0, 'official')]], weights, 0),
    );
    const ref = await Promise.all(alone);
    const refParts = (await Promise.all(ref.map((r) => r.parts.data()))).map((p) => Array.from(p));
    const refGrads = new Map<string, Float32Array>();
    for (const [n, g] of ref[0]!.grads) {
      const x = (await g.data()) as Float32Array;
      const y = (await ref[1]!.grads.get(n)!.data()) as Float32Array;
      refGrads.set(
        n,
        x.map((v, i) => (v + y[i]!) / 2),
      );
    }
    for (const r of ref) tf.dispose([r.parts, ...r.grads.values()]);
    for (const o of [
      WHOLE,
      { instances: 1, subBatches: true, attentionTokens: 20, overheadTokens: 0 },
      { instances: 2, subBatches: true, attentionTokens: MINI_A },
    ]) {
      const r = await localRunner.run(model, stepHostBatches([m0, m1], o, 0, 'official'), weights, 0);
      const parts = Array.from(await r.parts.data());
      parts.forEach((v, i) =>
        expect(rel(v, (refParts[0]![i]! + refParts[1]![i]!) / 2), `part ${i}`).toBeLessThan(1e-5),
      );
      for (const [n, g] of r.grads)
        expect(relNormError((await g.data()) as Float32Array, refGrads.get(n)!), n).toBeLessThan(1e-5);
      tf.dispose([r.parts, ...r.grads.values()]);
    }
  });

  it.each(['official', 'per-term'] as Objective[])(
    '%s: pairs + generation rows, whole, cut into sub-batches over 1–4 instances, pairs split: the same parts and gradients',
    async (objective) => {
      const [a, b] = [encs.A!, encs.B!];
      const rows: StepRows = {
        pairs: [a, b].map((e) => ({
          teacher: teacherRow(e),
          student: studentRow(e, officialVisibility(e, fx.gradient_case)),
        })),
        others: [generationRow(b), generationRow(a)],
      };
      const results = [];
      let splitSeen = false;
      let exchanged = false;
      const plans: ShardOptions[] = [
        WHOLE,
        ...[1, 2, 3, 4].map((instances) => ({ instances, subBatches: true, attentionTokens: 20, overheadTokens: 0 })),
        // Split pairs' KL targets through the shared exchange.
        ...[2, 3].map((instances) => ({
          instances,
          subBatches: true,
          attentionTokens: 20,
          overheadTokens: 0,
          teacherExchange: true,
        })),
      ];
      const weights = { teacher: 1, student: 0.7, kl: 0.4 };
      for (const plan of plans) {
        const hosts = shardHostBatches(rows, plan, 0, objective);
        if (plan !== WHOLE) expect(hosts.flat().length).toBeGreaterThan(1);
        if (hosts.flat().some((h) => h.teacherOutside)) splitSeen = true;
        if (plan.teacherExchange && hosts.flat().some((h) => h.teacherSlots)) exchanged = true;
        const r = plan.teacherExchange
          ? withExchange(hosts, 2000, weights)
          : await localRunner.run(model, hosts, weights, 0);
        const parts = Array.from(await r.parts.data());
        const grads = new Map<string, Float32Array>();
        for (const [n, g] of r.grads) grads.set(n, (await g.data()) as Float32Array);
        tf.dispose([r.parts, ...r.grads.values()]);
        results.push({ parts, grads });
      }
      expect(splitSeen, 'some plan splits a pair').toBe(true);
      expect(exchanged, 'some plan hands a KL target over').toBe(true);
      const [one, ...split] = results;
      for (const s of split) {
        s!.parts.forEach((v, i) => expect(rel(v, one!.parts[i]!), `part ${i}`).toBeLessThan(1e-5));
        for (const [n, g] of one!.grads) expect(relNormError(s!.grads.get(n)!, g), n).toBeLessThan(1e-5);
      }
    },
  );
});
