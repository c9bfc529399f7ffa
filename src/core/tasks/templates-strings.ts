// Over 300 lines: a table of string templates, one self-contained entry each; splitting it would only scatter the table.
/** String templates: character classes, transformations, prefixes, word lengths. */
import { fnSource, product, randText, randWords } from './helpers.ts';
import type { Params, PyValue, Template } from './types.ts';

interface CharClass {
  key: string;
  phrase: string;
  py(v: string): string;
  js(c: string): boolean;
  /** A plausible wrong test. */
  wrong(v: string): string;
  sample: string;
}
const upper = (c: string): boolean => c >= 'A' && c <= 'Z';
const lower = (c: string): boolean => c >= 'a' && c <= 'z';
export const CHAR_CLASSES: CharClass[] = [
  {
    key: 'vowel',
    phrase: 'vowels (a, e, i, o, u in either case)',
    py: (v) => `${v}.lower() in "aeiou"`,
    js: (c) => 'aeiou'.includes(c.toLowerCase()),
    wrong: (v) => `${v} in "aeiou"`,
    sample: 'Echo Of IOU',
  },
  {
    key: 'digit',
    phrase: 'digits',
    py: (v) => `${v}.isdigit()`,
    js: (c) => c >= '0' && c <= '9',
    wrong: (v) => `${v}.isalnum()`,
    sample: 'a1b22 c3',
  },
  {
    key: 'upper',
    phrase: 'uppercase letters',
    py: (v) => `${v}.isupper()`,
    js: upper,
    wrong: (v) => `not ${v}.islower()`,
    sample: 'Hello World 7',
  },
  {
    key: 'lower',
    phrase: 'lowercase letters',
    py: (v) => `${v}.islower()`,
    js: lower,
    wrong: (v) => `not ${v}.isupper()`,
    sample: 'Hello World 7',
  },
  {
    key: 'space',
    phrase: 'spaces',
    py: (v) => `${v} == " "`,
    js: (c) => c === ' ',
    wrong: (v) => `${v} == ""`,
    sample: ' a b  c ',
  },
  ...['a', 'e', 'r', 's', 't', 'n', 'o', 'x'].map((ch): CharClass => ({
    key: `char_${ch}`,
    phrase: `the letter '${ch}' (lowercase only)`,
    py: (v) => `${v} == "${ch}"`,
    js: (c) => c === ch,
    wrong: (v) => `${v}.lower() == "${ch}"`,
    sample: `${ch}${ch.toUpperCase()}b${ch}`,
  })),
];
const cls = (key: string): CharClass => CHAR_CLASSES.find((c) => c.key === key)!;
const STR_ARGS = [['s', 'text', 'word', 'string']];
type ClsP = Params & { cls: string };
const clsParams = (): ClsP[] => CHAR_CLASSES.map((c) => ({ key: c.key, cls: c.key }));
const clsInputs = (p: ClsP, rng: import('../rng.ts').Rng): PyValue[][] => [
  [''],
  [cls(p.cls).sample],
  ...Array.from({ length: 4 }, () => [randText(rng, 1, 12)]),
];
const str = (a: PyValue[]): string => a[0] as string;

export const countChars: Template<ClsP> = {
  id: 'count_chars',
  family: 'strings',
  params: clsParams,
  names: (p) => ({ fn: [`count_${p.cls}s`, `num_${p.cls}s`], args: STR_ARGS }),
  describe: (p, n) => `Return how many characters of the string \`${n.args[0]}\` are ${cls(p.cls).phrase}.`,
  solution: (p, n) => fnSource(n, [`return sum(1 for ch in ${n.args[0]} if ${cls(p.cls).py('ch')})`]),
  ref: (p, a) => [...str(a)].filter(cls(p.cls).js).length,
  inputs: clsInputs,
  mistakes: (p, n) => [
    {
      kind: 'wrong-comparison',
      code: fnSource(n, [`return sum(1 for ch in ${n.args[0]} if ${cls(p.cls).wrong('ch')})`]),
      cause: `the test \`${cls(p.cls).wrong('ch')}\` does not match exactly the ${cls(p.cls).phrase}`,
      fix: `test \`${cls(p.cls).py('ch')}\``,
    },
    {
      kind: 'wrong-initial-value',
      code: fnSource(n, [
        'count = 1',
        `for ch in ${n.args[0]}:`,
        `    if ${cls(p.cls).py('ch')}:`,
        '        count += 1',
        'return count',
      ]),
      cause: 'the counter starts at 1 instead of 0',
      fix: 'start counting at 0',
    },
  ],
};

export const removeChars: Template<ClsP> = {
  id: 'remove_chars',
  family: 'strings',
  params: clsParams,
  names: (p) => ({ fn: [`remove_${p.cls}s`, `strip_${p.cls}s`, `drop_${p.cls}s`], args: STR_ARGS }),
  describe: (p, n) => `Return the string \`${n.args[0]}\` with all ${cls(p.cls).phrase} removed.`,
  solution: (p, n) => fnSource(n, [`return "".join(ch for ch in ${n.args[0]} if not (${cls(p.cls).py('ch')}))`]),
  ref: (p, a) => [...str(a)].filter((c) => !cls(p.cls).js(c)).join(''),
  inputs: clsInputs,
  mistakes: (p, n) => [
    {
      kind: 'wrong-return-type',
      code: fnSource(n, [`return [ch for ch in ${n.args[0]} if not (${cls(p.cls).py('ch')})]`]),
      cause: 'the function returns a list of characters instead of a string',
      fix: 'join the characters with `"".join(...)`',
    },
    {
      kind: 'wrong-comparison',
      code: fnSource(n, [`return "".join(ch for ch in ${n.args[0]} if not (${cls(p.cls).wrong('ch')}))`]),
      cause: `the test \`${cls(p.cls).wrong('ch')}\` removes the wrong characters`,
      fix: `test \`${cls(p.cls).py('ch')}\``,
    },
  ],
};

type XfP = Params & { op: string; k: number };
const XFORMS: {
  op: string;
  ks: number[];
  text: (k: number) => string;
  py: (v: string, k: number) => string;
  js: (s: string, k: number) => string;
  bad: (v: string, k: number) => [string, string, string];
}[] = [
  {
    op: 'upper',
    ks: [0],
    text: () => 'converted to uppercase',
    py: (v) => `${v}.upper()`,
    js: (s) => s.toUpperCase(),
    bad: (v) => [`${v}.capitalize()`, '`capitalize()` only changes the first letter', 'use `upper()`'],
  },
  {
    op: 'lower',
    ks: [0],
    text: () => 'converted to lowercase',
    py: (v) => `${v}.lower()`,
    js: (s) => s.toLowerCase(),
    bad: (v) => [
      `${v}[0].lower() + ${v}[1:]`,
      'only the first character is lowered, and an empty string raises IndexError',
      'use `lower()`',
    ],
  },
  {
    op: 'reverse',
    ks: [0],
    text: () => 'reversed',
    py: (v) => `${v}[::-1]`,
    js: (s) => [...s].reverse().join(''),
    bad: (v) => [`${v}[:-1]`, '`[:-1]` drops the last character instead of reversing', 'slice with `[::-1]`'],
  },
  {
    op: 'first',
    ks: [1, 2, 3, 4, 5],
    text: (k) => `cut to its first ${k} characters (shorter strings stay as they are)`,
    py: (v, k) => `${v}[:${k}]`,
    js: (s, k) => s.slice(0, k),
    bad: (v, k) => [
      `${v}[:${k - 1}]`,
      `the slice \`[:${k - 1}]\` keeps one character too few`,
      `slice with \`[:${k}]\``,
    ],
  },
  {
    op: 'last',
    ks: [1, 2, 3, 4, 5],
    text: (k) => `cut to its last ${k} characters (shorter strings stay as they are)`,
    py: (v, k) => `${v}[-${k}:]`,
    js: (s, k) => s.slice(Math.max(0, s.length - k)),
    bad: (v, k) => [
      `${v}[-${k + 1}:]`,
      `the slice \`[-${k + 1}:]\` keeps one character too many`,
      `slice with \`[-${k}:]\``,
    ],
  },
  {
    op: 'dash',
    ks: [0],
    text: () => 'with every space replaced by a dash',
    py: (v) => `${v}.replace(" ", "-")`,
    js: (s) => s.split(' ').join('-'),
    bad: (v) => [
      `${v}.replace(" ", "-", 1)`,
      'the count argument 1 replaces only the first space',
      'replace every space',
    ],
  },
  {
    op: 'under',
    ks: [0],
    text: () => 'with every space replaced by an underscore',
    py: (v) => `${v}.replace(" ", "_")`,
    js: (s) => s.split(' ').join('_'),
    bad: (v) => [
      `${v}.strip().replace(" ", "_")`,
      'stripping first loses the spaces at both ends',
      'replace without stripping',
    ],
  },
  {
    op: 'double',
    ks: [0],
    text: () => 'with every character written twice',
    py: (v) => `"".join(ch * 2 for ch in ${v})`,
    js: (s) => [...s].map((c) => c + c).join(''),
    bad: (v) => [`${v} * 2`, '`* 2` repeats the whole string instead of each character', 'double each character'],
  },
];
export const transformString: Template<XfP> = {
  id: 'transform_string',
  family: 'strings',
  params: () => XFORMS.flatMap((x) => x.ks.map((k) => ({ key: x.ks.length > 1 ? `${x.op}${k}` : x.op, op: x.op, k }))),
  names: (p) => ({ fn: [`${p.op}_text`, `to_${p.op}`, `${p.op}_string`], args: STR_ARGS }),
  describe: (p, n) => `Return the string \`${n.args[0]}\` ${XFORMS.find((x) => x.op === p.op)!.text(p.k)}.`,
  solution: (p, n) => fnSource(n, [`return ${XFORMS.find((x) => x.op === p.op)!.py(n.args[0], p.k)}`]),
  ref: (p, a) => XFORMS.find((x) => x.op === p.op)!.js(str(a), p.k),
  inputs: (_p, rng) => [[''], ['a'], [' ab cd '], ...Array.from({ length: 3 }, () => [randText(rng, 2, 10)])],
  mistakes: (p, n) => {
    const [code, cause, fix] = XFORMS.find((x) => x.op === p.op)!.bad(n.args[0], p.k);
    return [
      {
        kind: p.op === 'first' || p.op === 'last' ? 'off-by-one' : p.op === 'lower' ? 'exception' : 'missed-edge-case',
        code: fnSource(n, [`return ${code}`]),
        cause,
        fix,
      },
      {
        kind: 'wrong-return-type',
        code: fnSource(n, [`return list(${XFORMS.find((x) => x.op === p.op)!.py(n.args[0], p.k)})`]),
        cause: 'the result is wrapped in `list()`, so a list of characters is returned instead of a string',
        fix: 'return the string itself',
      },
    ];
  },
};

type AffixP = Params & { op: 'startswith' | 'endswith'; affix: string };
export const hasAffix: Template<AffixP> = {
  id: 'has_affix',
  family: 'strings',
  params: () =>
    product(['startswith', 'endswith'] as const, ['ab', 'x', 'pre', 'un', 'ing', 'ed', 're', 'to']).map(
      ([op, affix]) => ({ key: `${op}-${affix}`, op, affix }),
    ),
  names: (p) => ({
    fn: [
      `${p.op === 'startswith' ? 'starts' : 'ends'}_with_${p.affix}`,
      `has_${p.op === 'startswith' ? 'prefix' : 'suffix'}_${p.affix}`,
    ],
    args: STR_ARGS,
  }),
  describe: (p, n) =>
    `Return True if the string \`${n.args[0]}\` ${p.op === 'startswith' ? 'starts' : 'ends'} with "${p.affix}", else False.`,
  solution: (p, n) => fnSource(n, [`return ${n.args[0]}.${p.op}("${p.affix}")`]),
  ref: (p, a) => (p.op === 'startswith' ? str(a).startsWith(p.affix) : str(a).endsWith(p.affix)),
  inputs: (p) => [[''], [p.affix], [`${p.affix}${p.affix}`], [`z${p.affix}z`], [`${p.affix}q`], [`q${p.affix}`]],
  mistakes: (p, n) => [
    {
      kind: 'wrong-comparison',
      code: fnSource(n, [`return "${p.affix}" in ${n.args[0]}`]),
      cause: `\`in\` accepts "${p.affix}" anywhere in the string, not only at the ${p.op === 'startswith' ? 'start' : 'end'}`,
      fix: `use \`${p.op}\``,
    },
    {
      kind: 'exception',
      code: fnSource(n, [
        `return ${n.args[0]}[${p.op === 'startswith' ? '0' : '-1'}] == "${p.op === 'startswith' ? p.affix[0] : p.affix[p.affix.length - 1]}"${p.affix.length > 1 ? '' : ' and len(' + n.args[0] + ') > 0'}`,
      ]),
      cause: `indexing a single character raises IndexError for an empty string${p.affix.length > 1 ? ` and checks only one character of "${p.affix}"` : ''}`,
      fix: `use \`${p.op}\``,
    },
  ],
};

type WordP = Params & { cmp: '>' | '<' | '=='; k: number };
export const countWords: Template<WordP> = {
  id: 'count_words_len',
  family: 'strings',
  params: () =>
    product(['>', '<', '=='] as const, [2, 3, 4, 5, 6]).map(([cmp, k]) => ({
      key: `${cmp === '>' ? 'gt' : cmp === '<' ? 'lt' : 'eq'}${k}`,
      cmp,
      k,
    })),
  names: (p) => ({
    fn: [
      `count_words_${p.cmp === '>' ? 'longer' : p.cmp === '<' ? 'shorter' : 'of_len'}_${p.k}`,
      `words_${p.cmp === '>' ? 'over' : p.cmp === '<' ? 'under' : 'exactly'}_${p.k}`,
    ],
    args: [['sentence', 's', 'text']],
  }),
  describe: (p, n) =>
    `Return how many words of \`${n.args[0]}\` (separated by whitespace) have ${p.cmp === '>' ? 'more than' : p.cmp === '<' ? 'fewer than' : 'exactly'} ${p.k} letters.`,
  solution: (p, n) => fnSource(n, [`return sum(1 for w in ${n.args[0]}.split() if len(w) ${p.cmp} ${p.k})`]),
  ref: (p, a) =>
    str(a)
      .split(/\s+/)
      .filter((w) => w && (p.cmp === '>' ? w.length > p.k : p.cmp === '<' ? w.length < p.k : w.length === p.k)).length,
  inputs: (_p, rng) => [
    [''],
    ['  '],
    ['a  bb   ccc dddd eeeee ffffff'],
    ...Array.from({ length: 3 }, () => [randWords(rng, 1, 6).join(' ')]),
  ],
  mistakes: (p, n) => [
    {
      kind: 'missed-edge-case',
      code: fnSource(n, [`return sum(1 for w in ${n.args[0]}.split(" ") if len(w) ${p.cmp} ${p.k})`]),
      cause: '`split(" ")` keeps empty strings between repeated spaces, so they are counted as words',
      fix: 'use `split()` without an argument',
    },
    {
      kind: 'wrong-comparison',
      code: fnSource(n, [
        `return sum(1 for w in ${n.args[0]}.split() if len(w) ${p.cmp === '==' ? '>=' : p.cmp + '='} ${p.k})`,
      ]),
      cause: `the comparison \`${p.cmp === '==' ? '>=' : p.cmp + '='}\` is not \`${p.cmp}\``,
      fix: `compare with \`${p.cmp}\``,
    },
  ],
};

export const STRING_TEMPLATES = [countChars, removeChars, transformString, hasAffix, countWords] as Template[];
