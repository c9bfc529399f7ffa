// Over 300 lines: a table of list templates, one self-contained entry each; splitting it would only scatter the table.
/** List templates: predicates over integer lists, element-wise operations, extremes. */
import { fnSource, randList } from './helpers.ts';
import { opPredParams, predicate, predParams, singularPhrase, witness, type PredP } from './predicates.ts';
import { pyDiv, pyMod } from './pyrepr.ts';
import type { Names, Params, PyValue, Template } from './types.ts';

const LIST_ARGS = [['nums', 'values', 'xs', 'numbers', 'items', 'data']];

/** Inputs for a predicate over a list: empty, the boundary alone, then random lists holding the boundary. */
function predInputs(pred: string, rng: import('../rng.ts').Rng): PyValue[][] {
  const b = predicate(pred).boundary;
  const out: PyValue[][] = [[[]], [[b]]];
  for (let i = 0; i < 4; i++) {
    const l = randList(rng, 2, 7);
    l.splice(rng.int(l.length + 1), 0, b);
    out.push([l]);
  }
  // A value that matches and one that does not, so no constant answer passes the tests.
  (out[2]![0] as number[]).push(witness(predicate(pred), true));
  (out[3]![0] as number[]).push(witness(predicate(pred), false));
  return out;
}

const list = (args: PyValue[]): number[] => args[0] as number[];

export const countWhere: Template<PredP> = {
  id: 'count_where',
  family: 'lists',
  params: predParams,
  names: (p) => ({ fn: [`count_${p.pred}`, `num_${p.pred}`, `count_where_${p.pred}`], args: LIST_ARGS }),
  describe: (p, n) => `Return how many elements of the list \`${n.args[0]}\` ${predicate(p.pred).phrase}.`,
  solution: (p, n) => fnSource(n, [`return sum(1 for x in ${n.args[0]} if ${predicate(p.pred).py('x')})`]),
  ref: (p, a) => list(a).filter(predicate(p.pred).js).length,
  inputs: (p, rng) => predInputs(p.pred, rng),
  mistakes: (p, n) => {
    const P = predicate(p.pred);
    const x = n.args[0];
    return [
      {
        kind: 'wrong-comparison',
        code: fnSource(n, [`return sum(1 for x in ${x} if ${P.wrong('x')})`]),
        cause: `the condition \`${P.wrong('x')}\` is not the one asked for; the elements that ${P.phrase} satisfy \`${P.py('x')}\``,
        fix: `use \`${P.py('x')}\``,
      },
      {
        kind: 'wrong-initial-value',
        code: fnSource(n, [
          'count = 1',
          `for x in ${x}:`,
          `    if ${P.py('x')}:`,
          '        count += 1',
          'return count',
        ]),
        cause: 'the counter starts at 1 instead of 0, so every result is one too large',
        fix: 'start the counter at 0',
      },
      {
        kind: 'wrong-return-type',
        code: fnSource(n, [`return [x for x in ${x} if ${P.py('x')}]`]),
        cause: 'the function returns the list of matching elements instead of how many there are',
        fix: 'return the count with `sum(1 for ...)`',
      },
    ];
  },
};

export const filterWhere: Template<PredP> = {
  id: 'filter_where',
  family: 'lists',
  params: predParams,
  names: (p) => ({ fn: [`keep_${p.pred}`, `filter_${p.pred}`, `only_${p.pred}`], args: LIST_ARGS }),
  describe: (p, n) =>
    `Return a new list with the elements of \`${n.args[0]}\` that ${predicate(p.pred).phrase}, in their original order.`,
  solution: (p, n) => fnSource(n, [`return [x for x in ${n.args[0]} if ${predicate(p.pred).py('x')}]`]),
  ref: (p, a) => list(a).filter(predicate(p.pred).js),
  inputs: (p, rng) => predInputs(p.pred, rng),
  mistakes: (p, n) => {
    const P = predicate(p.pred);
    const x = n.args[0];
    return [
      {
        kind: 'wrong-comparison',
        code: fnSource(n, [`return [x for x in ${x} if ${P.wrong('x')}]`]),
        cause: `the condition \`${P.wrong('x')}\` keeps the wrong elements; the ones that ${P.phrase} satisfy \`${P.py('x')}\``,
        fix: `filter with \`${P.py('x')}\``,
      },
      {
        kind: 'exception',
        code: fnSource(n, [`return ${x}.filter(lambda x: ${P.py('x')})`]),
        cause: 'Python lists have no `filter` method, so the call raises AttributeError',
        fix: 'use a list comprehension',
      },
      {
        kind: 'wrong-return-type',
        code: fnSource(n, [`return tuple(x for x in ${x} if ${P.py('x')})`]),
        cause: 'the function returns a tuple, but a list is expected and a tuple never equals a list',
        fix: 'build a list',
      },
    ];
  },
};

export const sumWhere: Template<PredP> = {
  id: 'sum_where',
  family: 'lists',
  params: predParams,
  names: (p) => ({ fn: [`sum_${p.pred}`, `total_${p.pred}`, `add_${p.pred}`], args: LIST_ARGS }),
  describe: (p, n) =>
    `Return the sum of the elements of \`${n.args[0]}\` that ${predicate(p.pred).phrase} (0 if there are none).`,
  solution: (p, n) => fnSource(n, [`return sum(x for x in ${n.args[0]} if ${predicate(p.pred).py('x')})`]),
  ref: (p, a) =>
    list(a)
      .filter(predicate(p.pred).js)
      .reduce((s, x) => s + x, 0),
  inputs: (p, rng) => predInputs(p.pred, rng),
  mistakes: (p, n) => {
    const P = predicate(p.pred);
    const x = n.args[0];
    return [
      {
        kind: 'wrong-comparison',
        code: fnSource(n, [`return sum(x for x in ${x} if ${P.wrong('x')})`]),
        cause: `the condition \`${P.wrong('x')}\` selects the wrong elements; it should be \`${P.py('x')}\``,
        fix: `sum the elements with \`${P.py('x')}\``,
      },
      {
        kind: 'exception',
        code: fnSource(n, [
          `total = ${x}[0]`,
          `for x in ${x}[1:]:`,
          `    if ${P.py('x')}:`,
          '        total += x',
          'return total',
        ]),
        cause:
          'the total starts from the first element, which fails on an empty list and counts the first element even when it does not match',
        fix: 'start the total at 0 and loop over every element',
      },
      {
        kind: 'wrong-initial-value',
        code: fnSource(n, [
          'total = 1',
          `for x in ${x}:`,
          `    if ${P.py('x')}:`,
          '        total += x',
          'return total',
        ]),
        cause: 'the running total starts at 1 instead of 0',
        fix: 'start the total at 0',
      },
    ];
  },
};

type QuantP = Params & { pred: string; op: 'all' | 'any' };
export const quantWhere: Template<QuantP> = {
  id: 'all_any_where',
  family: 'lists',
  params: () => opPredParams(['all', 'any'] as const),
  names: (p) => ({ fn: [`${p.op}_${p.pred}`, `${p.op === 'all' ? 'every' : 'some'}_${p.pred}`], args: LIST_ARGS }),
  describe: (p, n) =>
    p.op === 'all'
      ? `Return True if every element of \`${n.args[0]}\` ${singularPhrase(p.pred)}, else False. An empty list gives True.`
      : `Return True if at least one element of \`${n.args[0]}\` ${singularPhrase(p.pred)}, else False. An empty list gives False.`,
  solution: (p, n) => fnSource(n, [`return ${p.op}(${predicate(p.pred).py('x')} for x in ${n.args[0]})`]),
  ref: (p, a) => (p.op === 'all' ? list(a).every(predicate(p.pred).js) : list(a).some(predicate(p.pred).js)),
  inputs: (p, rng) => predInputs(p.pred, rng),
  mistakes: (p, n) => {
    const P = predicate(p.pred);
    const x = n.args[0];
    const other = p.op === 'all' ? 'any' : 'all';
    return [
      {
        kind: 'wrong-comparison',
        code: fnSource(n, [`return ${p.op}(${P.wrong('x')} for x in ${x})`]),
        cause: `the test \`${P.wrong('x')}\` is the wrong comparison; it should be \`${P.py('x')}\``,
        fix: `test \`${P.py('x')}\``,
      },
      {
        kind: 'missed-edge-case',
        code: fnSource(n, [
          `if not ${x}:`,
          `    return ${p.op === 'all' ? 'False' : 'True'}`,
          `return ${p.op}(${P.py('x')} for x in ${x})`,
        ]),
        cause: `the special case for an empty list returns the wrong answer; an empty list should give ${p.op === 'all' ? 'True' : 'False'}`,
        fix: 'drop the special case',
      },
      {
        kind: 'wrong-comparison',
        code: fnSource(n, [`return ${other}(${P.py('x')} for x in ${x})`]),
        cause: `\`${other}\` is used where \`${p.op}\` is needed`,
        fix: `use \`${p.op}\``,
      },
    ];
  },
};

export const firstWhere: Template<PredP> = {
  id: 'first_where',
  family: 'lists',
  params: predParams,
  names: (p) => ({ fn: [`first_${p.pred}`, `find_${p.pred}`], args: LIST_ARGS }),
  describe: (p, n) =>
    `Return the first element of \`${n.args[0]}\` that ${singularPhrase(p.pred)}, or None if there is none.`,
  solution: (p, n) =>
    fnSource(n, [`for x in ${n.args[0]}:`, `    if ${predicate(p.pred).py('x')}:`, '        return x', 'return None']),
  ref: (p, a) => list(a).find(predicate(p.pred).js) ?? null,
  inputs: (p, rng) => predInputs(p.pred, rng),
  mistakes: (p, n) => {
    const P = predicate(p.pred);
    const x = n.args[0];
    return [
      {
        kind: 'exception',
        code: fnSource(n, [`return [x for x in ${x} if ${P.py('x')}][0]`]),
        cause: 'indexing the matches with [0] raises IndexError when no element matches',
        fix: 'loop and return None when nothing matches',
      },
      {
        kind: 'wrong-comparison',
        code: fnSource(n, [`for x in ${x}:`, `    if ${P.wrong('x')}:`, '        return x', 'return None']),
        cause: `the condition \`${P.wrong('x')}\` accepts the wrong elements; it should be \`${P.py('x')}\``,
        fix: `test \`${P.py('x')}\``,
      },
      {
        kind: 'wrong-return-type',
        code: fnSource(n, [`for x in ${x}:`, `    if ${P.py('x')}:`, '        return x', 'return -1']),
        cause: 'the function returns -1 when nothing matches, but None is expected',
        fix: 'return None',
      },
    ];
  },
};

type MapP = Params & { op: string; k: number };
const MAP_OPS: {
  op: string;
  ks: number[];
  text: (k: number) => string;
  py: (v: string, k: number) => string;
  js: (x: number, k: number) => number;
}[] = [
  {
    op: 'add',
    ks: [1, 2, 3, 4, 5, 6, 7, 8, 9],
    text: (k) => `increased by ${k}`,
    py: (v, k) => `${v} + ${k}`,
    js: (x, k) => x + k,
  },
  {
    op: 'sub',
    ks: [1, 2, 3, 4, 5, 6, 7, 8, 9],
    text: (k) => `decreased by ${k}`,
    py: (v, k) => `${v} - ${k}`,
    js: (x, k) => x - k,
  },
  {
    op: 'mul',
    ks: [2, 3, 4, 5, 6, 7, 8, 9],
    text: (k) => `multiplied by ${k}`,
    py: (v, k) => `${v} * ${k}`,
    js: (x, k) => x * k,
  },
  {
    op: 'mod',
    ks: [2, 3, 4, 5, 6, 7, 8, 9],
    text: (k) => `taken modulo ${k}`,
    py: (v, k) => `${v} % ${k}`,
    js: (x, k) => pyMod(x, k),
  },
  {
    op: 'div',
    ks: [2, 3, 4, 5],
    text: (k) => `floor-divided by ${k}`,
    py: (v, k) => `${v} // ${k}`,
    js: (x, k) => pyDiv(x, k),
  },
  { op: 'square', ks: [0], text: () => 'squared', py: (v) => `${v} * ${v}`, js: (x) => x * x },
  { op: 'negate', ks: [0], text: () => 'negated', py: (v) => `-${v}`, js: (x) => -x },
];
export const mapOp: Template<MapP> = {
  id: 'map_op',
  family: 'lists',
  params: () => MAP_OPS.flatMap((o) => o.ks.map((k) => ({ key: o.ks.length > 1 ? `${o.op}${k}` : o.op, op: o.op, k }))),
  names: (p) => ({ fn: [`${p.op}_each`, `${p.op}_all`, `map_${p.op}`], args: LIST_ARGS }),
  describe: (p, n) =>
    `Return a new list with every element of \`${n.args[0]}\` ${MAP_OPS.find((o) => o.op === p.op)!.text(p.k)}.`,
  solution: (p, n) =>
    fnSource(n, [`return [${MAP_OPS.find((o) => o.op === p.op)!.py('x', p.k)} for x in ${n.args[0]}]`]),
  ref: (p, a) => list(a).map((x) => MAP_OPS.find((o) => o.op === p.op)!.js(x, p.k)),
  inputs: (_p, rng) => [[[]], [[0]], [[-7]], ...Array.from({ length: 3 }, () => [randList(rng, 2, 6)])],
  mistakes: (p, n) => {
    const e = MAP_OPS.find((o) => o.op === p.op)!.py(`${n.args[0]}[i]`, p.k);
    const x = n.args[0];
    return [
      {
        kind: 'off-by-one',
        code: fnSource(n, [
          'result = []',
          `for i in range(len(${x}) - 1):`,
          `    result.append(${e})`,
          'return result',
        ]),
        cause: `\`range(len(${x}) - 1)\` stops one index early, so the last element is missing`,
        fix: `loop over \`range(len(${x}))\``,
      },
      {
        kind: 'wrong-return-type',
        code: fnSource(n, [`for i in range(len(${x})):`, `    ${x}[i] = ${e}`]),
        cause: 'the function changes the list in place and returns nothing, so the result is None',
        fix: 'build and return a new list',
      },
    ];
  },
};

type ExtP = Params & { pred: string; op: 'max' | 'min' };
export const extremeWhere: Template<ExtP> = {
  id: 'extreme_where',
  family: 'lists',
  params: () => opPredParams(['max', 'min'] as const),
  names: (p) => ({
    fn: [`${p.op}_${p.pred}`, `${p.op === 'max' ? 'largest' : 'smallest'}_${p.pred}`],
    args: LIST_ARGS,
  }),
  describe: (p, n) =>
    `Return the ${p.op === 'max' ? 'largest' : 'smallest'} element of \`${n.args[0]}\` that ${singularPhrase(p.pred)}, or None if there is none.`,
  solution: (p, n) =>
    fnSource(n, [
      `found = [x for x in ${n.args[0]} if ${predicate(p.pred).py('x')}]`,
      `return ${p.op}(found) if found else None`,
    ]),
  ref: (p, a) => {
    const f = list(a).filter(predicate(p.pred).js);
    return f.length ? (p.op === 'max' ? Math.max(...f) : Math.min(...f)) : null;
  },
  inputs: (p, rng) => predInputs(p.pred, rng),
  mistakes: (p, n) => {
    const P = predicate(p.pred);
    const x = n.args[0];
    return [
      {
        kind: 'missed-edge-case',
        code: fnSource(n, [`return ${p.op}(x for x in ${x} if ${P.py('x')})`]),
        cause: `\`${p.op}()\` of an empty sequence raises ValueError when no element matches`,
        fix: 'return None when nothing matches',
      },
      {
        kind: 'wrong-initial-value',
        code: fnSource(n, [
          'best = 0',
          `for x in ${x}:`,
          `    if ${P.py('x')} and x ${p.op === 'max' ? '>' : '<'} best:`,
          '        best = x',
          'return best',
        ]),
        cause: `the search starts from 0, so a result on the other side of 0 is never found and "none" gives 0 instead of None`,
        fix: 'collect the matches and take their ' + p.op,
      },
    ];
  },
};

export const LIST_TEMPLATES = [
  countWhere,
  filterWhere,
  sumWhere,
  quantWhere,
  firstWhere,
  mapOp,
  extremeWhere,
] as Template[];
export type { Names };
