/** Dictionary templates: filtering by value, defaults, word counts, mapping values. */
import { fnSource, pick, randDict, randWords } from './helpers.ts';
import { predicate, predParams, type PredP } from './predicates.ts';
import type { Params, PyDict, PyValue, Template } from './types.ts';

const D_ARGS = [['d', 'mapping', 'table', 'scores']];
const dict = (a: PyValue[]): PyDict => a[0] as PyDict;

export const filterValues: Template<PredP> = {
  id: 'filter_values',
  family: 'dicts',
  params: predParams,
  names: (p) => ({ fn: [`items_${p.pred}`, `select_${p.pred}`], args: D_ARGS }),
  describe: (p, n) => `Return a new dict with the items of \`${n.args[0]}\` whose values ${predicate(p.pred).phrase}.`,
  solution: (p, n) => fnSource(n, [`return {k: v for k, v in ${n.args[0]}.items() if ${predicate(p.pred).py('v')}}`]),
  ref: (p, a) => ({ dict: dict(a).dict.filter(([, v]) => predicate(p.pred).js(v as number)) }),
  inputs: (p, rng) => [
    [{ dict: [] }],
    [{ dict: [['a', predicate(p.pred).boundary]] }],
    ...Array.from({ length: 4 }, () => [randDict(rng, 2, 5)]),
  ],
  mistakes: (p, n) => {
    const P = predicate(p.pred);
    return [
      {
        kind: 'wrong-return-type',
        code: fnSource(n, [`return [k for k, v in ${n.args[0]}.items() if ${P.py('v')}]`]),
        cause: 'the function returns a list of keys instead of a dict',
        fix: 'build a dict comprehension',
      },
      {
        kind: 'wrong-comparison',
        code: fnSource(n, [`return {k: v for k, v in ${n.args[0]}.items() if ${P.wrong('v')}}`]),
        cause: `the test \`${P.wrong('v')}\` keeps the wrong items; it should be \`${P.py('v')}\``,
        fix: `test \`${P.py('v')}\``,
      },
    ];
  },
};

type GetP = Params & { dflt: number | string | null };
export const getDefault: Template<GetP> = {
  id: 'get_default',
  family: 'dicts',
  params: () => [0, -1, null, '', 'missing', 1].map((d) => ({ key: JSON.stringify(d), dflt: d })),
  names: () => ({ fn: ['lookup', 'get_value', 'fetch'], args: [D_ARGS[0]!, ['key', 'name', 'k']] }),
  describe: (p, n) =>
    `Return the value stored under \`${n.args[1]}\` in the dict \`${n.args[0]}\`, or ${p.dflt === null ? 'None' : typeof p.dflt === 'string' ? `the string "${p.dflt}"` : p.dflt} if the key is absent.`,
  solution: (p, n) =>
    fnSource(n, [
      `return ${n.args[0]}.get(${n.args[1]}, ${p.dflt === null ? 'None' : typeof p.dflt === 'string' ? `"${p.dflt}"` : p.dflt})`,
    ]),
  ref: (p, a) => dict(a).dict.find(([k]) => k === a[1])?.[1] ?? p.dflt,
  inputs: (_p, rng) => {
    const d = randDict(rng, 2, 5);
    return [
      [{ dict: [] }, 'a'],
      [d, d.dict[0]![0]],
      [d, 'zz'],
      [d, d.dict[d.dict.length - 1]![0]],
      [{ dict: [['q', 0]] }, 'q'],
      [randDict(rng, 1, 4), pick(rng, ['a', 'b', 'x'])],
    ];
  },
  mistakes: (p, n) => [
    {
      kind: 'exception',
      code: fnSource(n, [`return ${n.args[0]}[${n.args[1]}]`]),
      cause: 'indexing with a missing key raises KeyError instead of returning the default',
      fix: 'use `dict.get` with the default',
    },
    {
      kind: 'missed-edge-case',
      code: fnSource(n, [
        `return ${n.args[0]}.get(${n.args[1]}) or ${p.dflt === null ? 'None' : typeof p.dflt === 'string' ? `"${p.dflt}"` : p.dflt}`,
      ]),
      cause: '`or` also replaces stored values that are falsy, such as 0',
      fix: 'pass the default to `get`',
    },
  ],
};

type WcP = Params & { lower: boolean };
export const wordCounts: Template<WcP> = {
  id: 'word_counts',
  family: 'dicts',
  params: () => [true, false].map((lower) => ({ key: lower ? 'lower' : 'exact', lower })),
  names: () => ({ fn: ['word_counts', 'count_words', 'word_frequencies'], args: [['text', 'sentence', 's']] }),
  describe: (p, n) =>
    `Return a dict mapping each word of \`${n.args[0]}\` (split on whitespace${p.lower ? ', compared in lowercase' : ''}) to how many times it occurs, in order of first appearance.`,
  solution: (p, n) =>
    fnSource(n, [
      'counts = {}',
      `for w in ${n.args[0]}${p.lower ? '.lower()' : ''}.split():`,
      '    counts[w] = counts.get(w, 0) + 1',
      'return counts',
    ]),
  ref: (p, a) => {
    const out: [string, PyValue][] = [];
    for (const w of (a[0] as string)[p.lower ? 'toLowerCase' : 'toString']().split(/\s+/).filter(Boolean)) {
      const e = out.find(([k]) => k === w);
      if (e) e[1] = (e[1] as number) + 1;
      else out.push([w, 1]);
    }
    return { dict: out };
  },
  inputs: (_p, rng) => [
    [''],
    ['Sun sun SUN'],
    ['a  b a'],
    ...Array.from({ length: 3 }, () => [randWords(rng, 2, 7).join(' ')]),
  ],
  mistakes: (p, n) => [
    {
      kind: 'exception',
      code: fnSource(n, [
        'counts = {}',
        `for w in ${n.args[0]}${p.lower ? '.lower()' : ''}.split():`,
        '    counts[w] += 1',
        'return counts',
      ]),
      cause: 'incrementing a key that is not yet in the dict raises KeyError',
      fix: 'use `counts.get(w, 0) + 1`',
    },
    {
      kind: 'wrong-initial-value',
      code: fnSource(n, [
        'counts = {}',
        `for w in ${n.args[0]}${p.lower ? '.lower()' : ''}.split():`,
        '    counts[w] = counts.get(w, 1) + 1',
        'return counts',
      ]),
      cause: 'the default count 1 makes every count one too large',
      fix: 'start each count at 0',
    },
  ],
};

type MapVP = Params & { op: string; k: number };
const VAL_OPS: {
  op: string;
  ks: number[];
  text: (k: number) => string;
  py: (k: number) => string;
  js: (x: number, k: number) => number;
}[] = [
  { op: 'add', ks: [1, 2, 3, 5, 10], text: (k) => `increased by ${k}`, py: (k) => `v + ${k}`, js: (x, k) => x + k },
  { op: 'mul', ks: [2, 3, 4, 10], text: (k) => `multiplied by ${k}`, py: (k) => `v * ${k}`, js: (x, k) => x * k },
  { op: 'sub', ks: [1, 2, 5], text: (k) => `decreased by ${k}`, py: (k) => `v - ${k}`, js: (x, k) => x - k },
  { op: 'square', ks: [0], text: () => 'squared', py: () => 'v * v', js: (x) => x * x },
];
export const mapValues: Template<MapVP> = {
  id: 'map_values',
  family: 'dicts',
  params: () => VAL_OPS.flatMap((o) => o.ks.map((k) => ({ key: o.ks.length > 1 ? `${o.op}${k}` : o.op, op: o.op, k }))),
  names: (p) => ({ fn: [`${p.op}_values`, `values_${p.op}`], args: D_ARGS }),
  describe: (p, n) =>
    `Return a new dict with the same keys as \`${n.args[0]}\` and every value ${VAL_OPS.find((o) => o.op === p.op)!.text(p.k)}.`,
  solution: (p, n) =>
    fnSource(n, [`return {k: ${VAL_OPS.find((o) => o.op === p.op)!.py(p.k)} for k, v in ${n.args[0]}.items()}`]),
  ref: (p, a) => ({
    dict: dict(a).dict.map(
      ([k, v]) => [k, VAL_OPS.find((o) => o.op === p.op)!.js(v as number, p.k)] as [string, PyValue],
    ),
  }),
  inputs: (_p, rng) => [
    [{ dict: [] }],
    [{ dict: [['z', 0]] }],
    ...Array.from({ length: 4 }, () => [randDict(rng, 1, 5)]),
  ],
  mistakes: (p, n) => [
    {
      kind: 'wrong-return-type',
      code: fnSource(n, [`return [${VAL_OPS.find((o) => o.op === p.op)!.py(p.k)} for v in ${n.args[0]}.values()]`]),
      cause: 'the function returns a list of the new values and loses the keys',
      fix: 'return a dict comprehension over `items()`',
    },
    {
      kind: 'exception',
      code: fnSource(n, [
        `for k, v in ${n.args[0]}:`,
        `    ${n.args[0]}[k] = ${VAL_OPS.find((o) => o.op === p.op)!.py(p.k)}`,
        `return ${n.args[0]}`,
      ]),
      cause: 'iterating a dict yields its keys only, so unpacking `k, v` fails',
      fix: 'iterate over `items()` and build a new dict',
    },
  ],
};

export const DICT_TEMPLATES = [filterValues, getDefault, wordCounts, mapValues] as Template[];
