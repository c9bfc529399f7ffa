import { describe, expect, it } from 'vitest';
import { encodeRecord, type EncodedRecord } from '../../../src/core/records/serialize.ts';
import { validateRecord, type ReflectionRecord } from '../../../src/core/records/schema.ts';
import { BatchSampler, buildStepBatch, epochOrder, planRun, stepShards } from '../../../src/core/train/recipe.ts';
import { validateTrainConfig } from '../../../src/core/train/config.ts';
import { Rng } from '../../../src/core/rng.ts';
import { loadReflectionLossFixture, rebuildFixtureRecord } from '../helpers/fixture-record.ts';

const fx = loadReflectionLossFixture();
const { record, tok } = rebuildFixtureRecord(fx);
const refl = encodeRecord(record, tok);
const genRecord: ReflectionRecord = validateRecord({
  type: 'generation',
  messages: [
    { role: 'user', content: [{ type: 'text', content: record.messages[2]!.content[0]!.content }] },
    { role: 'assistant', content: [{ type: 'text', content: record.messages[3]!.content[0]!.content }] },
  ],
});
const gen = encodeRecord(genRecord, tok);
// 3 reflection + 2 generation records.
const data: EncodedRecord[] = [refl, gen, refl, gen, refl];

describe('recipe', () => {
  it('up-samples reflection records by the factor and shuffles with a seeded RNG', () => {
    const cfg = validateTrainConfig({ upsampleReflection: 2 });
    const order = epochOrder(data, cfg, new Rng(1));
    expect(order).toHaveLength(3 * 2 + 2);
    for (const i of [0, 2, 4]) expect(order.filter((j) => j === i)).toHaveLength(2);
    for (const i of [1, 3]) expect(order.filter((j) => j === i)).toHaveLength(1);
    expect(epochOrder(data, cfg, new Rng(1))).toEqual(order);
    const seen = new Set(Array.from({ length: 10 }, (_, s) => epochOrder(data, cfg, new Rng(s)).join(',')));
    expect(seen.size).toBeGreaterThan(5);
  });

  it('plans steps from epochs (or maxSteps) and warmup from the ratio', () => {
    const plan = planRun(data, validateTrainConfig({ epochs: 2, batchSize: 2, gradAccumSteps: 2, warmupRatio: 0.1 }));
    expect(plan).toEqual({
      reflectionRecords: 3,
      generationRecords: 2,
      itemsPerEpoch: 8,
      totalSteps: 4,
      warmupSteps: 1,
    });
    expect(planRun(data, validateTrainConfig({ maxSteps: 9 })).totalSteps).toBe(9);
    const noRefl = validateTrainConfig({ ablation: { withoutReflectionData: true }, batchSize: 1, epochs: 1 });
    expect(planRun(data, noRefl).itemsPerEpoch).toBe(2);
    expect(epochOrder(data, noRefl, new Rng(0)).sort()).toEqual([1, 3]);
    expect(() => planRun([refl], noRefl)).toThrow(/nothing to train on/);
  });

  it('the sampler crosses epochs with a new shuffle and resumes exactly from its state', () => {
    const cfg = validateTrainConfig({ batchSize: 3, seed: 5 });
    const a = new BatchSampler(data, cfg);
    const first = [a.next(), a.next(), a.next()]; // 9 items > one epoch of 8
    expect(a.epoch).toBe(1);
    expect(first.flat().slice(0, 8).sort()).toEqual([0, 0, 1, 2, 2, 3, 4, 4]);
    const state = JSON.parse(JSON.stringify(a.getState())) as ReturnType<BatchSampler['getState']>;
    const b = new BatchSampler(data, cfg);
    b.setState(state);
    for (let k = 0; k < 6; k++) expect(b.next()).toEqual(a.next());
    expect(() => b.setState({ ...state, order: [99] })).toThrow(/does not fit this dataset/);
  });

  it('builds pairs for reflection records and next-token rows for generation records, with the step mask rate (per-term)', () => {
    const cfg = validateTrainConfig({ objective: 'per-term' });
    const h = buildStepBatch(data, [0, 1, 2], cfg, 0, 3, 0); // rate 1/3: E and A hidden (EAC)
    expect([h.batchSize, h.nPairs, h.nGeneration, h.seqLen]).toEqual([5, 2, 1, refl.ids.length]);
    const caseRate = fx.cases.find((c) => c.strategy === 'block' && c.mask_rate === 0.5)!; // same types hidden at 1/3 and 0.5
    const student = Array.from(h.keyVisible.slice(2 * h.seqLen, 3 * h.seqLen)).map((v) => v === 1);
    expect(student).toEqual(caseRate.student_visible);
    expect(h.counts.student).toBe(2 * fx.student_targets.filter(Boolean).length);
    // Generation row (index 4): right-padded, pads invisible and never targets.
    const T = h.seqLen;
    const n = gen.ids.length;
    expect(Array.from(h.keyVisible.slice(4 * T + n, 5 * T)).every((v) => v === 0)).toBe(true);
    expect(Array.from(h.teacherMask.slice(4 * T + n, 5 * T)).every((v) => v === 0)).toBe(true);
    expect(Array.from(h.inputIds.slice(4 * T + n, 5 * T)).every((v) => v === 0)).toBe(true);
    // KL positions are the student targets shifted left by one.
    for (let t = 1; t < T; t++) expect(h.klMask[t - 1]).toBe(h.studentMask[2 * T + t]);
  });

  it('official objective: KL at the unshifted student-target positions; the head plan lists each needed position once', () => {
    const h = buildStepBatch(data, [0, 1, 2], validateTrainConfig({}), 0, 3, 0);
    expect(h.objective).toBe('official');
    const T = h.seqLen;
    for (let t = 0; t < T; t++) expect(h.klMask[t]).toBe(h.studentMask[2 * T + t]);
    const { rows, nKl, teacherW, studentW } = h.head;
    expect(new Set(rows).size).toBe(rows.length);
    expect(nKl).toBe(h.counts.kl);
    for (let k = 0; k < nKl; k++) expect(rows[nKl + k]! - rows[k]!).toBe(2 * T); // teacher row r ↔ student row R + r (R = 2)
    expect(teacherW.reduce((a, b) => a + b, 0)).toBe(h.counts.teacher);
    expect(studentW.reduce((a, b) => a + b, 0)).toBe(h.counts.student);
    // Far fewer positions than B·T go through the head.
    expect(rows.length).toBeLessThan(h.batchSize * T);
  });

  it('with gradient accumulation, two micro-batches of one step draw different random masks (the RNG does not restart)', () => {
    const cfg = validateTrainConfig({ mask: { strategy: 'random-token' }, seed: 5, gradAccumSteps: 2 });
    const sameRecord = { next: () => [0] };
    const [m0, m1] = stepShards(data, sameRecord, cfg, 4, 10, 0)[0]!;
    if (!m0 || !m1) throw new Error('expected two micro-batches');
    expect(Array.from(m1.keyVisible)).not.toEqual(Array.from(m0.keyVisible));
    // Still reproducible per (seed, step, micro-batch).
    expect(Array.from(buildStepBatch(data, [0], cfg, 4, 10, 0, 1).keyVisible)).toEqual(Array.from(m1.keyVisible));
  });

  it('ablations: w/o distillation gives no student rows; w/o dynamic mask hides every block from step 0', () => {
    const noDistill = buildStepBatch(
      data,
      [0, 1],
      validateTrainConfig({ ablation: { withoutDistillation: true } }),
      0,
      10,
      0,
    );
    expect([noDistill.nPairs, noDistill.nGeneration, noDistill.counts.student]).toEqual([0, 2, 0]);
    const allMask = buildStepBatch(
      data,
      [0],
      validateTrainConfig({ ablation: { withoutDynamicMask: true } }),
      0,
      10,
      0,
    );
    const vis = Array.from(allMask.keyVisible.slice(allMask.seqLen)).map((v) => v === 1);
    expect(vis).toEqual(fx.cases.find((c) => c.strategy === 'all')!.student_visible);
  });

  it('random masks are reproducible per (seed, step) so a resumed run masks the same way', () => {
    const cfg = validateTrainConfig({ mask: { strategy: 'random-block' }, seed: 3 });
    const a = buildStepBatch(data, [0, 2], cfg, 4, 10, 0);
    const b = buildStepBatch(data, [0, 2], cfg, 4, 10, 0);
    expect(Array.from(b.keyVisible)).toEqual(Array.from(a.keyVisible));
    const c = buildStepBatch(data, [0, 2], cfg, 5, 10, 0);
    expect(Array.from(c.keyVisible)).not.toEqual(Array.from(a.keyVisible));
  });
});
