import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors.ts';
import {
  BLOCK_ORDERS,
  effectiveMaskOptions,
  hiddenBlockTypes,
  maskRate,
  NO_ABLATION,
  officialOrder,
  parseBlockOrder,
  parseMaskStrategy,
  showOrder,
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
  it.each(fx.cases.map((c) => [c.strategy, c.order, c.mask_rate, c] as const))(
    '%s %s rate %s matches the fixture',
    (s, o, rate, c) => {
      const vis = studentVisibility(
        enc,
        { strategy: parseMaskStrategy(s), order: o as BlockOrder },
        rate,
        new Rng(1),
        'per-term',
      );
      expect(vis).toEqual(c.student_visible);
    },
  );

  it('per-term block order thresholds: first type from rate > 0, second from 1/3, third from 2/3', () => {
    expect(hiddenBlockTypes('EAC', 0, 'per-term')).toEqual([]);
    expect(hiddenBlockTypes('EAC', 0.01, 'per-term')).toEqual(['execution']);
    expect(hiddenBlockTypes('CAE', 1 / 3, 'per-term')).toEqual(['code', 'text']);
    expect(hiddenBlockTypes('ACE', 2 / 6, 'per-term')).toEqual(['text', 'code']);
    expect(hiddenBlockTypes('ECA', 0.66, 'per-term')).toEqual(['execution', 'code']);
    expect(hiddenBlockTypes('AEC', 2 / 3, 'per-term')).toEqual(['text', 'execution', 'code']);
  });

  it('official block thresholds are >= 0.33 and >= 0.67 (trainer.py block_mask), first type always', () => {
    expect(hiddenBlockTypes('EAC', 0)).toEqual(['execution']);
    expect(hiddenBlockTypes('EAC', 0.329)).toEqual(['execution']);
    expect(hiddenBlockTypes('EAC', 0.33)).toEqual(['execution', 'text']);
    expect(hiddenBlockTypes('EAC', 1 / 3)).toEqual(['execution', 'text']);
    expect(hiddenBlockTypes('EAC', 0.669)).toEqual(['execution', 'text']);
    expect(hiddenBlockTypes('EAC', 0.67)).toEqual(['execution', 'text', 'code']);
    // 2/3 = 0.666… is below 0.67: the third type waits (per-term hides it from 2/3).
    expect(hiddenBlockTypes('EAC', 2 / 3)).toEqual(['execution', 'text']);
  });

  it('official counts round up: 0.3 · 10 tokens hides 4 (Python float product 3.0000000000000004)', () => {
    const n = reflIdx.length;
    const vis = studentVisibility(enc, { strategy: 'sequential-token', order: 'EAC' }, 0.01, undefined);
    expect(reflIdx.filter((i) => !vis[i])).toHaveLength(Math.ceil(n * 0.01));
    expect(Math.ceil(n * 0.01)).toBe(1);
    const per = studentVisibility(enc, { strategy: 'sequential-token', order: 'EAC' }, 0.01, undefined, 'per-term');
    expect(reflIdx.filter((i) => !per[i])).toHaveLength(0);
  });

  it('orders: paper letters or official letters, shown as one', () => {
    expect(parseBlockOrder('tce')).toBe('ACE');
    expect(parseBlockOrder('etc')).toBe('EAC');
    expect(parseBlockOrder('EAC')).toBe('EAC');
    expect(officialOrder('ACE')).toBe('tce');
    expect(showOrder('ACE')).toBe('ACE (tce)');
    for (const o of BLOCK_ORDERS) expect(parseBlockOrder(officialOrder(o))).toBe(o);
    expect(() => parseBlockOrder('xyz')).toThrow(/unknown block order "xyz"/);
    expect(() => parseBlockOrder('eac')).toThrow(ConfigError);
  });

  it('strategy names: the official flags (with _ or -) and earlier names are accepted', () => {
    expect(parseMaskStrategy('sequential_block')).toBe('sequential-block');
    expect(parseMaskStrategy('random')).toBe('random-block');
    expect(parseMaskStrategy('sequential')).toBe('sequential-block');
    expect(parseMaskStrategy('random_token')).toBe('random-token');
    expect(() => parseMaskStrategy('random_blockmask')).toThrow(/unknown mask strategy/);
  });

  it('three-strategies draws random-block, sequential-block or block per sample, each reproducible', () => {
    const seen = new Set<string>();
    const options = ['random-block', 'sequential-block', 'block'].map((s) => s);
    for (let seed = 0; seed < 30; seed++) {
      const got = studentVisibility(enc, { strategy: 'three-strategies', order: 'EAC' }, 0.5, new Rng(seed));
      expect(got).toEqual(studentVisibility(enc, { strategy: 'three-strategies', order: 'EAC' }, 0.5, new Rng(seed)));
      seen.add(JSON.stringify(got));
    }
    expect(options).toHaveLength(3);
    // block and sequential-block at 0.5 give one mask each; random-block several.
    expect(seen.size).toBeGreaterThan(2);
    const block = JSON.stringify(studentVisibility(enc, { strategy: 'block', order: 'EAC' }, 0.5));
    const seq = JSON.stringify(studentVisibility(enc, { strategy: 'sequential-block', order: 'EAC' }, 0.5));
    expect(seen.has(block)).toBe(true);
    expect(seen.has(seq)).toBe(true);
    expect(() => studentVisibility(enc, { strategy: 'three-strategies', order: 'EAC' }, 0.5)).toThrow(
      /needs a seeded Rng/,
    );
  });

  it('every order hides exactly its block types and never touches the final round', () => {
    for (const order of BLOCK_ORDERS) {
      const vis = studentVisibility(enc, { strategy: 'block', order }, 0.5, undefined, 'per-term');
      const hidden = new Set(hiddenBlockTypes(order, 0.5, 'per-term'));
      for (const i of reflIdx) expect(vis[i]).toBe(!hidden.has(enc.annotation[i]!.block_type!));
      enc.annotation.forEach((a, i) => {
        if (a.segment.startsWith('instruction') || a.segment.startsWith('final_answer') || a.segment === 'eos')
          expect(vis[i]).toBe(true);
      });
    }
  });

  it('random-block hides ceil(rate·N) whole blocks, reproducibly per seed', () => {
    const a = studentVisibility(enc, { strategy: 'random-block', order: 'EAC' }, 0.5, new Rng(7));
    const b = studentVisibility(enc, { strategy: 'random-block', order: 'EAC' }, 0.5, new Rng(7));
    expect(a).toEqual(b);
    const hiddenBlocks = new Set(reflIdx.filter((i) => !a[i]).map((i) => enc.annotation[i]!.block));
    expect(hiddenBlocks.size).toBe(3);
    for (const i of reflIdx) expect(a[i]).toBe(!hiddenBlocks.has(enc.annotation[i]!.block));
    const seen = new Set<string>();
    for (let s = 0; s < 20; s++)
      seen.add(JSON.stringify(studentVisibility(enc, { strategy: 'random-block', order: 'EAC' }, 0.5, new Rng(s))));
    expect(seen.size).toBeGreaterThan(3);
    expect(() => studentVisibility(enc, { strategy: 'random-block', order: 'EAC' }, 0.5)).toThrow(ConfigError);
  });

  it('token-level variants hide ceil(rate·N) reflection tokens', () => {
    const n = reflIdx.length;
    const seq = studentVisibility(enc, { strategy: 'sequential-token', order: 'EAC' }, 0.4, undefined);
    const k = Math.ceil(n * 0.4);
    reflIdx.forEach((i, j) => expect(seq[i]).toBe(j >= k));
    const rnd = studentVisibility(enc, { strategy: 'random-token', order: 'EAC' }, 0.4, new Rng(3));
    expect(reflIdx.filter((i) => !rnd[i])).toHaveLength(k);
    expect(reflIdx.filter((i) => !rnd[i])).not.toEqual(reflIdx.slice(0, k));
  });

  it('"w/o dynamic mask" switch forces strategy all', () => {
    expect(
      effectiveMaskOptions({ strategy: 'block', order: 'EAC' }, { ...NO_ABLATION, withoutDynamicMask: true }).strategy,
    ).toBe('all');
    expect(effectiveMaskOptions({ strategy: 'block', order: 'EAC' }, NO_ABLATION).strategy).toBe('block');
  });

  it('mask rate = (step+1)/total and rejects impossible values', () => {
    expect(maskRate(0, 4)).toBe(0.25);
    expect(maskRate(3, 4)).toBe(1);
    expect(() => maskRate(4, 4)).toThrow(ConfigError);
    expect(() => maskRate(0, 0)).toThrow(/totalSteps/);
    expect(() => studentVisibility(enc, { strategy: 'bogus' as MaskStrategy, order: 'EAC' }, 0.5)).toThrow(
      /unknown mask strategy "bogus"/,
    );
    expect(() => studentVisibility(enc, { strategy: 'block', order: 'XYZ' as BlockOrder }, 0.5)).toThrow(
      /unknown block order/,
    );
  });
});
