import { describe, expect, it } from 'vitest';
import type { EncodedRecord } from '../../../src/core/records/serialize.ts';
import { Rng } from '../../../src/core/rng.ts';
import { validateTrainConfig } from '../../../src/core/train/config.ts';
import { lengthGroupedIndices } from '../../../src/core/train/length-grouped.ts';
import { BatchSampler, epochOrder, planRun } from '../../../src/core/train/recipe.ts';

/** Records with only the fields batching reads: type and length. */
function rec(type: 'reflection' | 'generation', len: number): EncodedRecord {
  return { type, ids: new Array<number>(len).fill(1), annotation: [], teacherTargets: [], studentTargets: [] };
}

describe('official batching (MultiDatasetsLengthGroupedSampler)', () => {
  // 7 generation records, 5 reflection records (×2 up-sampling = two groups of 5).
  const data = [
    ...[30, 10, 50, 20, 40, 60, 70].map((l) => rec('generation', l)),
    ...[15, 25, 35, 45, 55].map((l) => rec('reflection', l)),
  ];
  const cfg = validateTrainConfig({ batching: 'official', batchSize: 2, upsampleReflection: 2 });

  it('batches hold one group each, every group drops its remainder, and the plan counts only whole batches', () => {
    const order = epochOrder(data, cfg, new Rng(3));
    // generation: 7 → 6; reflection copies: 5 → 4 each.
    expect(order).toHaveLength(6 + 4 + 4);
    expect(planRun(data, cfg).itemsPerEpoch).toBe(14);
    for (let i = 0; i < order.length; i += 2) expect(data[order[i]!]!.type).toBe(data[order[i + 1]!]!.type);
    expect(order.filter((i) => data[i]!.type === 'generation')).toHaveLength(6);
    expect(new Set(order.filter((i) => data[i]!.type === 'generation')).size).toBe(6);
    // Reproducible per seed; another seed shuffles differently.
    expect(epochOrder(data, cfg, new Rng(3))).toEqual(order);
    expect(epochOrder(data, cfg, new Rng(4))).not.toEqual(order);
  });

  it('length grouping: mega-batches sorted longest first, the overall longest record leads', () => {
    const lengths = Array.from({ length: 40 }, (_, i) => (i * 37) % 101);
    const idx = lengthGroupedIndices(lengths, 2, new Rng(1));
    expect([...idx].sort((a, b) => a - b)).toEqual(lengths.map((_, i) => i));
    expect(lengths[idx[0]!]).toBe(Math.max(...lengths));
    // 40 // (2·4) = 5 → mega-batches of 10, each sorted by length; only their first elements were swapped.
    for (let m = 0; m < 4; m++) {
      const mb = idx.slice(m * 10 + 1, m * 10 + 10).map((i) => lengths[i]!);
      expect(mb).toEqual([...mb].sort((a, b) => b - a));
    }
  });

  it('the sampler never mixes epochs inside a micro-batch and fails clearly when no group fills a batch', () => {
    const s = new BatchSampler(data, cfg);
    for (let k = 0; k < 20; k++) {
      const b = s.next();
      expect(data[b[0]!]!.type).toBe(data[b[1]!]!.type);
    }
    const big = validateTrainConfig({ batching: 'official', batchSize: 8 });
    expect(() => epochOrder(data, big, new Rng(0))).toThrow(/no full batch of 8 records of one type/);
  });
});
