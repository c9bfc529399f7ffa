/** Arithmetic templates on one integer argument. */
import { fnSource, product, randInt } from './helpers.ts';
import { pyMod } from './pyrepr.ts';
import type { Params, PyValue, Template } from './types.ts';

const N_ARGS = [['n', 'x', 'num', 'value']];
const int = (a: PyValue[]): number => a[0] as number;

type LinP = Params & { a: number; b: number };
export const linear: Template<LinP> = {
  id: 'linear',
  family: 'arithmetic',
  params: () =>
    product([2, 3, 4, 5], [-3, -2, -1, 1, 2, 3, 4]).map(([a, b]) => ({ key: `${a}x${b < 0 ? '' : '+'}${b}`, a, b })),
  names: () => ({ fn: ['scale_shift', 'linear', 'affine', 'transform'], args: N_ARGS }),
  describe: (p, n) => `Return ${p.a} times \`${n.args[0]}\` ${p.b < 0 ? 'minus' : 'plus'} ${Math.abs(p.b)}.`,
  solution: (p, n) => fnSource(n, [`return ${p.a} * ${n.args[0]} ${p.b < 0 ? '-' : '+'} ${Math.abs(p.b)}`]),
  ref: (p, a) => p.a * int(a) + p.b,
  inputs: (_p, rng) => [[0], [1], [-1], ...Array.from({ length: 3 }, () => [randInt(rng, -50, 50)])],
  mistakes: (p, n) => [
    {
      kind: 'wrong-return-type',
      code: fnSource(n, [`return str(${p.a} * ${n.args[0]} ${p.b < 0 ? '-' : '+'} ${Math.abs(p.b)})`]),
      cause: 'the number is returned as a string, and a string never equals an int',
      fix: 'return the int',
    },
    {
      kind: 'wrong-comparison',
      code: fnSource(n, [`return ${p.a} * (${n.args[0]} ${p.b < 0 ? '-' : '+'} ${Math.abs(p.b)})`]),
      cause: `the parentheses multiply the ${p.b < 0 ? 'difference' : 'sum'} by ${p.a}, so the constant is multiplied too`,
      fix: 'multiply first, then add the constant',
    },
  ],
};

type MultP = Params & { k: number; inclusive: boolean };
export const sumMultiples: Template<MultP> = {
  id: 'sum_multiples',
  family: 'arithmetic',
  params: () =>
    product([2, 3, 4, 5, 6, 7, 8, 9], [true, false]).map(([k, inclusive]) => ({
      key: `${k}-${inclusive ? 'incl' : 'below'}`,
      k,
      inclusive,
    })),
  names: (p) => ({ fn: [`sum_multiples_of_${p.k}`, `multiples_${p.k}_total`], args: [['n', 'limit', 'upto']] }),
  describe: (p, n) =>
    `Return the sum of the positive multiples of ${p.k} that are ${p.inclusive ? 'at most' : 'below'} \`${n.args[0]}\` (0 if there are none).`,
  solution: (p, n) =>
    fnSource(n, [`return sum(i for i in range(1, ${n.args[0]}${p.inclusive ? ' + 1' : ''}) if i % ${p.k} == 0)`]),
  ref: (p, a) => {
    let s = 0;
    for (let i = 1; p.inclusive ? i <= int(a) : i < int(a); i++) if (i % p.k === 0) s += i;
    return s;
  },
  inputs: (p, rng) => [[0], [p.k], [p.k + 1], [-5], ...Array.from({ length: 2 }, () => [randInt(rng, 10, 60)])],
  mistakes: (p, n) => [
    {
      kind: 'off-by-one',
      code: fnSource(n, [
        `return sum(i for i in range(1, ${n.args[0]}${p.inclusive ? '' : ' + 1'}) if i % ${p.k} == 0)`,
      ]),
      cause: `the range ${p.inclusive ? 'stops before' : 'includes'} \`${n.args[0]}\` itself, so the bound is handled wrong when it is a multiple of ${p.k}`,
      fix: `use \`range(1, ${n.args[0]}${p.inclusive ? ' + 1' : ''})\``,
    },
    {
      kind: 'wrong-initial-value',
      code: fnSource(n, [
        `total = ${p.k}`,
        `for i in range(${p.k * 2}, ${n.args[0]}${p.inclusive ? ' + 1' : ''}, ${p.k}):`,
        '    total += i',
        'return total',
      ]),
      cause: `the total starts at ${p.k}, which is wrong when \`${n.args[0]}\` is below ${p.k}`,
      fix: 'start the total at 0 and add every multiple',
    },
  ],
};

type DigitP = Params & { op: string };
const DIGIT_OPS: { op: string; text: string; py: string; js: (ds: number[]) => number }[] = [
  { op: 'sum', text: 'the sum of the decimal digits of', py: 'sum(digits)', js: (d) => d.reduce((a, b) => a + b, 0) },
  { op: 'count', text: 'the number of decimal digits of', py: 'len(digits)', js: (d) => d.length },
  { op: 'max', text: 'the largest decimal digit of', py: 'max(digits)', js: (d) => Math.max(...d) },
  {
    op: 'even',
    text: 'the number of even decimal digits of',
    py: 'sum(1 for d in digits if d % 2 == 0)',
    js: (d) => d.filter((x) => x % 2 === 0).length,
  },
  {
    op: 'odd',
    text: 'the number of odd decimal digits of',
    py: 'sum(1 for d in digits if d % 2 == 1)',
    js: (d) => d.filter((x) => x % 2 === 1).length,
  },
];
export const digitOp: Template<DigitP> = {
  id: 'digit_op',
  family: 'arithmetic',
  params: () => DIGIT_OPS.map((o) => ({ key: o.op, op: o.op })),
  names: (p) => ({ fn: [`digit_${p.op}`, `${p.op}_of_digits`], args: N_ARGS }),
  describe: (p, n) =>
    `Return ${DIGIT_OPS.find((o) => o.op === p.op)!.text} \`${n.args[0]}\`, ignoring its sign (0 has the single digit 0).`,
  solution: (p, n) =>
    fnSource(n, [
      `digits = [int(c) for c in str(abs(${n.args[0]}))]`,
      `return ${DIGIT_OPS.find((o) => o.op === p.op)!.py}`,
    ]),
  ref: (p, a) =>
    DIGIT_OPS.find((o) => o.op === p.op)!.js(
      String(Math.abs(int(a)))
        .split('')
        .map(Number),
    ),
  inputs: (_p, rng) => [[0], [-407], [7], ...Array.from({ length: 3 }, () => [randInt(rng, 10, 99999)])],
  mistakes: (p, n) => [
    {
      kind: 'exception',
      code: fnSource(n, [
        `digits = [int(c) for c in str(${n.args[0]})]`,
        `return ${DIGIT_OPS.find((o) => o.op === p.op)!.py}`,
      ]),
      cause: 'for a negative number `str()` keeps the minus sign and `int("-")` raises ValueError',
      fix: 'take `abs()` first',
    },
    {
      kind: 'missed-edge-case',
      code: fnSource(n, [
        'digits = []',
        `m = abs(${n.args[0]})`,
        'while m > 0:',
        '    digits.append(m % 10)',
        '    m //= 10',
        `return ${DIGIT_OPS.find((o) => o.op === p.op)!.py}`,
      ]),
      cause: 'the loop never runs for 0, so 0 is treated as having no digits',
      fix: 'read the digits from `str(abs(...))`',
    },
  ],
};

type ClampP = Params & { lo: number; hi: number };
export const clamp: Template<ClampP> = {
  id: 'clamp',
  family: 'arithmetic',
  params: () => product([-10, -5, 0, 1], [10, 20, 100]).map(([lo, hi]) => ({ key: `${lo}..${hi}`, lo, hi })),
  names: () => ({ fn: ['clamp', 'limit', 'bound', 'clip'], args: N_ARGS }),
  describe: (p, n) =>
    `Return \`${n.args[0]}\` limited to the range from ${p.lo} to ${p.hi}: values below ${p.lo} become ${p.lo} and values above ${p.hi} become ${p.hi}.`,
  solution: (p, n) => fnSource(n, [`return max(${p.lo}, min(${n.args[0]}, ${p.hi}))`]),
  ref: (p, a) => Math.max(p.lo, Math.min(int(a), p.hi)),
  inputs: (p, rng) => [[p.lo], [p.hi], [p.lo - 1], [p.hi + 1], [randInt(rng, p.lo, p.hi)], [randInt(rng, -200, 200)]],
  mistakes: (p, n) => [
    {
      kind: 'wrong-comparison',
      code: fnSource(n, [`return min(${p.lo}, max(${n.args[0]}, ${p.hi}))`]),
      cause: '`min` and `max` are swapped, so the bounds are applied the wrong way round',
      fix: `use \`max(${p.lo}, min(x, ${p.hi}))\``,
    },
    {
      kind: 'off-by-one',
      code: fnSource(n, [
        `if ${n.args[0]} <= ${p.lo}:`,
        `    return ${p.lo + 1}`,
        `if ${n.args[0]} >= ${p.hi}:`,
        `    return ${p.hi - 1}`,
        `return ${n.args[0]}`,
      ]),
      cause: 'the limits are returned one step inside the range instead of the bounds themselves',
      fix: 'return the bounds',
    },
  ],
};

type DivP = Params & { a: number; b: number; op: 'and' | 'or' };
export const divisibleBoth: Template<DivP> = {
  id: 'divisible_and_or',
  family: 'arithmetic',
  params: () => {
    const out: DivP[] = [];
    for (const op of ['and', 'or'] as const)
      for (let a = 2; a <= 7; a++) for (let b = a + 1; b <= 7; b++) out.push({ key: `${a}${op}${b}`, a, b, op });
    return out;
  },
  names: (p) => ({ fn: [`divisible_by_${p.a}_${p.op}_${p.b}`, `is_multiple_${p.a}_${p.op}_${p.b}`], args: N_ARGS }),
  describe: (p, n) =>
    `Return True if \`${n.args[0]}\` is divisible by ${p.op === 'and' ? 'both' : 'either'} ${p.a} ${p.op} ${p.b}, else False.`,
  solution: (p, n) => fnSource(n, [`return ${n.args[0]} % ${p.a} == 0 ${p.op} ${n.args[0]} % ${p.b} == 0`]),
  ref: (p, a) =>
    p.op === 'and'
      ? pyMod(int(a), p.a) === 0 && pyMod(int(a), p.b) === 0
      : pyMod(int(a), p.a) === 0 || pyMod(int(a), p.b) === 0,
  inputs: (p, rng) => [[0], [p.a], [p.b], [p.a * p.b], [1], [randInt(rng, -60, 60)]],
  mistakes: (p, n) => [
    {
      kind: 'wrong-comparison',
      code: fnSource(n, [
        `return ${n.args[0]} % ${p.a} == 0 ${p.op === 'and' ? 'or' : 'and'} ${n.args[0]} % ${p.b} == 0`,
      ]),
      cause: `\`${p.op === 'and' ? 'or' : 'and'}\` is used where \`${p.op}\` is needed`,
      fix: `combine the tests with \`${p.op}\``,
    },
    {
      kind: 'wrong-return-type',
      code: fnSource(n, [`return "yes" if ${n.args[0]} % ${p.a} == 0 ${p.op} ${n.args[0]} % ${p.b} == 0 else "no"`]),
      cause: 'the function returns the strings "yes" / "no" instead of True / False',
      fix: 'return the boolean expression itself',
    },
  ],
};

export const NUMBER_TEMPLATES = [linear, sumMultiples, digitOp, clamp, divisibleBoth] as Template[];
