/**
 * Templates held out of training entirely: the "unseen templates" test split. They recombine ideas of the
 * seen templates (predicates, strings, dicts) into functions no training record shows.
 */
import { fnSource, product, randDict, randList, randText } from './helpers.ts';
import { predicate, predParams, singularPhrase, witness, type PredP } from './predicates.ts';
import type { Params, PyDict, PyValue, Template } from './types.ts';

const LIST_ARGS = [['nums', 'values', 'xs', 'numbers']];
const list = (a: PyValue[]): number[] => a[0] as number[];
function predInputs(pred: string, rng: import('../rng.ts').Rng): PyValue[][] {
  const b = predicate(pred).boundary;
  const out: PyValue[][] = [[[]], [[b]]];
  for (let i = 0; i < 4; i++) {
    const l = randList(rng, 2, 6, -6, 9);
    l.splice(rng.int(l.length + 1), 0, b);
    out.push([l]);
  }
  // A value that matches and one that does not, so no constant answer passes the tests.
  (out[2]![0] as number[]).push(witness(predicate(pred), true));
  (out[3]![0] as number[]).push(witness(predicate(pred), false));
  return out;
}

export const productWhere: Template<PredP> = {
  id: 'product_where',
  family: 'lists',
  params: predParams,
  names: (p) => ({ fn: [`product_${p.pred}`, `multiply_${p.pred}`], args: LIST_ARGS }),
  describe: (p, n) =>
    `Return the product of the elements of \`${n.args[0]}\` that ${predicate(p.pred).phrase} (1 if there are none).`,
  solution: (p, n) =>
    fnSource(n, [
      'result = 1',
      `for x in ${n.args[0]}:`,
      `    if ${predicate(p.pred).py('x')}:`,
      '        result *= x',
      'return result',
    ]),
  ref: (p, a) =>
    list(a)
      .filter(predicate(p.pred).js)
      .reduce((s, x) => s * x, 1),
  inputs: (p, rng) => predInputs(p.pred, rng),
  mistakes: () => [],
};

export const lastWhere: Template<PredP> = {
  id: 'last_where',
  family: 'lists',
  params: predParams,
  names: (p) => ({ fn: [`last_${p.pred}`, `find_last_${p.pred}`], args: LIST_ARGS }),
  describe: (p, n) =>
    `Return the last element of \`${n.args[0]}\` that ${singularPhrase(p.pred)}, or None if there is none.`,
  solution: (p, n) =>
    fnSource(n, [
      'result = None',
      `for x in ${n.args[0]}:`,
      `    if ${predicate(p.pred).py('x')}:`,
      '        result = x',
      'return result',
    ]),
  ref: (p, a) => [...list(a)].reverse().find(predicate(p.pred).js) ?? null,
  inputs: (p, rng) => predInputs(p.pred, rng),
  mistakes: () => [],
};

export const indexWhere: Template<PredP> = {
  id: 'index_where',
  family: 'lists',
  params: predParams,
  names: (p) => ({ fn: [`index_of_${p.pred}`, `position_${p.pred}`], args: LIST_ARGS }),
  describe: (p, n) =>
    `Return the index of the first element of \`${n.args[0]}\` that ${singularPhrase(p.pred)}, or -1 if there is none.`,
  solution: (p, n) =>
    fnSource(n, [
      `for i, x in enumerate(${n.args[0]}):`,
      `    if ${predicate(p.pred).py('x')}:`,
      '        return i',
      'return -1',
    ]),
  ref: (p, a) => list(a).findIndex(predicate(p.pred).js),
  inputs: (p, rng) => predInputs(p.pred, rng),
  mistakes: () => [],
};

export const countValuesWhere: Template<PredP> = {
  id: 'count_values_where',
  family: 'dicts',
  params: predParams,
  names: (p) => ({ fn: [`count_values_${p.pred}`, `how_many_${p.pred}`], args: [['d', 'mapping', 'table']] }),
  describe: (p, n) => `Return how many values of the dict \`${n.args[0]}\` ${predicate(p.pred).phrase}.`,
  solution: (p, n) => fnSource(n, [`return sum(1 for v in ${n.args[0]}.values() if ${predicate(p.pred).py('v')})`]),
  ref: (p, a) => (a[0] as PyDict).dict.filter(([, v]) => predicate(p.pred).js(v as number)).length,
  inputs: (p, rng) => [
    [{ dict: [] }],
    [{ dict: [['a', predicate(p.pred).boundary]] }],
    ...Array.from({ length: 4 }, () => [randDict(rng, 2, 5)]),
  ],
  mistakes: () => [],
};

type RepP = Params & { from: string; to: string };
export const replaceChar: Template<RepP> = {
  id: 'replace_char',
  family: 'strings',
  params: () =>
    product(['a', 'e', 'o', 't', ' '], ['*', '#', 'x', '']).map(([from, to]) => ({ key: `${from}->${to}`, from, to })),
  names: () => ({ fn: ['replace_char', 'swap_char', 'substitute'], args: [['s', 'text']] }),
  describe: (p, n) =>
    `Return the string \`${n.args[0]}\` with every ${p.from === ' ' ? 'space' : `'${p.from}'`} ${p.to === '' ? 'removed' : `replaced by '${p.to}'`}.`,
  solution: (p, n) => fnSource(n, [`return ${n.args[0]}.replace("${p.from}", "${p.to}")`]),
  ref: (p, a) => (a[0] as string).split(p.from).join(p.to),
  inputs: (p, rng) => [
    [''],
    [p.from],
    [`${p.from}${p.from}b`],
    ...Array.from({ length: 3 }, () => [randText(rng, 2, 10) + p.from]),
  ],
  mistakes: () => [],
};

export const UNSEEN_TEMPLATES = [productWhere, lastWhere, indexWhere, countValuesWhere, replaceChar] as Template[];
