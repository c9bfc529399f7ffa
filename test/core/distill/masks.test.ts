import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors.ts';
import {
  BLOCK_ORDERS,
  effectiveMaskOptions,
  hiddenBlockTypes,
  maskRate,
  NO_ABLATION,
  studentVisibility,
  type BlockOrder,
  type MaskStrategy,
} from '../../../src/core/distill/masks.ts';
import { encodeRecord } from '../../../src/core/records/serialize.ts';
import { Rng } from '../../../src/core/rng.ts';
import { loadReflectionLossFixture, rebuildFixtureRecord } from '../helpers/fixture-record.ts';

const fx = loadReflectionLossFixture();
const { record, tok } = rebuildFixtureRecord(fx);
const enc = encodeRecord(record, tok);
const reflIdx = enc.annotation.flatMap((a, i) => (a.segment === 'reflection_sequence' ? [i] : []));

describe('student visibility', () => {
  it.each(fx.cases.map((c) => [c.strategy, c.order, c.mask_rate, c] as const))('%s %s rate %s matches the fixture', (s, o, rate, c) => {
    const vis = studentVisibility(enc, { strategy: s as MaskStrategy, order: o as BlockOrder }, rate, new Rng(1));
    expect(vis).toEqual(c.student_visible);
  });

  it('block order thresholds: first type from rate > 0, second from 1/3, third from 2/3', () => {
    expect(hiddenBlockTypes('EAC', 0)).toEqual([]);
    expect(hiddenBlockTypes('EAC', 0.01)).toEqual(['execution']);
    expect(hiddenBlockTypes('CAE', 1 / 3)).toEqual(['code', 'text']);
    expect(hiddenBlockTypes('ACE', 2 / 6)).toEqual(['text', 'code']);
    expect(hiddenBlockTypes('ECA', 0.66)).toEqual(['execution', 'code']);
    expect(hiddenBlockTypes('AEC', 2 / 3)).toEqual(['text', 'execution', 'code']);
  });

  it('every order hides exactly its block types and never touches the final round', () => {
    for (const order of BLOCK_ORDERS) {
      const vis = studentVisibility(enc, { strategy: 'block', order }, 0.5, undefined);
      const hidden = new Set(hiddenBlockTypes(order, 0.5));
      for (const i of reflIdx) expect(vis[i]).toBe(!hidden.has(enc.annotation[i]!.block_type!));
      enc.annotation.forEach((a, i) => {
        if (a.segment.startsWith('instruction') || a.segment.startsWith('final_answer') || a.segment === 'eos') expect(vis[i]).toBe(true);
      });
    }
  });

  it('random hides floor(rate·N) whole blocks, reproducibly per seed', () => {
    const a = studentVisibility(enc, { strategy: 'random', order: 'EAC' }, 0.5, new Rng(7));
    const b = studentVisibility(enc, { strategy: 'random', order: 'EAC' }, 0.5, new Rng(7));
    expect(a).toEqual(b);
    const hiddenBlocks = new Set(reflIdx.filter((i) => !a[i]).map((i) => enc.annotation[i]!.block));
    expect(hiddenBlocks.size).toBe(3);
    for (const i of reflIdx) expect(a[i]).toBe(!hiddenBlocks.has(enc.annotation[i]!.block));
    const seen = new Set<string>();
    for (let s = 0; s < 20; s++) seen.add(JSON.stringify(studentVisibility(enc, { strategy: 'random', order: 'EAC' }, 0.5, new Rng(s))));
    expect(seen.size).toBeGreaterThan(3);
    expect(() => studentVisibility(enc, { strategy: 'random', order: 'EAC' }, 0.5)).toThrow(ConfigError);
  });

  it('token-level variants hide floor(rate·N) reflection tokens', () => {
    const n = reflIdx.length;
    const seq = studentVisibility(enc, { strategy: 'sequential-token', order: 'EAC' }, 0.4, undefined);
    const k = Math.floor(0.4 * n);
    reflIdx.forEach((i, j) => expect(seq[i]).toBe(j >= k));
    const rnd = studentVisibility(enc, { strategy: 'random-token', order: 'EAC' }, 0.4, new Rng(3));
    expect(reflIdx.filter((i) => !rnd[i])).toHaveLength(k);
    expect(reflIdx.filter((i) => !rnd[i])).not.toEqual(reflIdx.slice(0, k));
  });

  it('"w/o dynamic mask" switch forces strategy all', () => {
    expect(effectiveMaskOptions({ strategy: 'block', order: 'EAC' }, { ...NO_ABLATION, withoutDynamicMask: true }).strategy).toBe('all');
    expect(effectiveMaskOptions({ strategy: 'block', order: 'EAC' }, NO_ABLATION).strategy).toBe('block');
  });

  it('mask rate = (step+1)/total and rejects impossible values', () => {
    expect(maskRate(0, 4)).toBe(0.25);
    expect(maskRate(3, 4)).toBe(1);
    expect(() => maskRate(4, 4)).toThrow(ConfigError);
    expect(() => maskRate(0, 0)).toThrow(/totalSteps/);
    expect(() => studentVisibility(enc, { strategy: 'bogus' as MaskStrategy, order: 'EAC' }, 0.5)).toThrow(/unknown mask strategy "bogus"/);
    expect(() => studentVisibility(enc, { strategy: 'block', order: 'XYZ' as BlockOrder }, 0.5)).toThrow(/unknown block order/);
  });
});
