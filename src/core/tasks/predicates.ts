/** Integer predicates shared by the list and dict templates: text, Python condition, JS mirror, a wrong variant. */
import { pyMod } from './pyrepr.ts';
import type { Params } from './types.ts';

export interface Predicate {
  key: string;
  /** "are even", "are greater than 5" */
  phrase: string;
  py(v: string): string;
  js(x: number): boolean;
  /** A plausible wrong condition (wrong comparison / inverted test). */
  wrong(v: string): string;
  /** A value on the boundary, used in edge-case inputs. */
  boundary: number;
}

const KS = [1, 2, 3, 4, 5, 6, 7, 8, 9];

export const PREDICATES: Predicate[] = [
  {
    key: 'even',
    phrase: 'are even',
    py: (v) => `${v} % 2 == 0`,
    js: (x) => pyMod(x, 2) === 0,
    wrong: (v) => `${v} % 2 == 1`,
    boundary: 0,
  },
  {
    key: 'odd',
    phrase: 'are odd',
    py: (v) => `${v} % 2 == 1`,
    js: (x) => pyMod(x, 2) === 1,
    wrong: (v) => `${v} % 2 == 0`,
    boundary: 1,
  },
  {
    key: 'pos',
    phrase: 'are positive',
    py: (v) => `${v} > 0`,
    js: (x) => x > 0,
    wrong: (v) => `${v} >= 0`,
    boundary: 0,
  },
  {
    key: 'neg',
    phrase: 'are negative',
    py: (v) => `${v} < 0`,
    js: (x) => x < 0,
    wrong: (v) => `${v} <= 0`,
    boundary: 0,
  },
  {
    key: 'nonzero',
    phrase: 'are not zero',
    py: (v) => `${v} != 0`,
    js: (x) => x !== 0,
    wrong: (v) => `${v} > 0`,
    boundary: -1,
  },
  ...KS.map((k): Predicate => ({
    key: `gt${k}`,
    phrase: `are greater than ${k}`,
    py: (v) => `${v} > ${k}`,
    js: (x) => x > k,
    wrong: (v) => `${v} >= ${k}`,
    boundary: k,
  })),
  ...KS.map((k): Predicate => ({
    key: `lt${k}`,
    phrase: `are less than ${k}`,
    py: (v) => `${v} < ${k}`,
    js: (x) => x < k,
    wrong: (v) => `${v} <= ${k}`,
    boundary: k,
  })),
  ...[3, 4, 5, 6, 7].map((k): Predicate => ({
    key: `div${k}`,
    phrase: `are divisible by ${k}`,
    py: (v) => `${v} % ${k} == 0`,
    js: (x) => pyMod(x, k) === 0,
    wrong: (v) => `${v} % ${k} != 0`,
    boundary: k,
  })),
];

/** The value nearest the boundary that satisfies (want = true) or fails the predicate: every test set holds both. */
export function witness(p: Predicate, want: boolean): number {
  for (let d = 1; d < 50; d++) for (const v of [p.boundary + d, p.boundary - d]) if (p.js(v) === want) return v;
  throw new RangeError(`no witness for ${p.key}`);
}

export const predicate = (key: string): Predicate => {
  const p = PREDICATES.find((x) => x.key === key);
  if (!p) throw new RangeError(`unknown predicate ${key}`);
  return p;
};

/** Parameters of a template over one predicate: one task per predicate. */
export type PredP = Params & { pred: string };
export const predParams = (): PredP[] => PREDICATES.map((p) => ({ key: p.key, pred: p.key }));

/** Parameters of a template over an operation and a predicate: one task per pair (key `op-pred`). */
export function opPredParams<O extends string>(ops: readonly O[]): (PredP & { op: O })[] {
  return ops.flatMap((op) => PREDICATES.map((p) => ({ key: `${op}-${p.key}`, op, pred: p.key })));
}

/** What one element is when it satisfies the predicate: "is even", "is greater than 5". */
export function singularPhrase(key: string): string {
  return predicate(key).phrase.replace(/^are /, 'is ');
}
