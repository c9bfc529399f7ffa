/** Small builders shared by the templates: function source, random inputs. */
import type { Rng } from '../rng.ts';
import type { Names, PyValue } from './types.ts';

/** `def fn(args):` + body lines indented by 4 spaces (nested indentation is kept). */
export function fnSource(n: Names, body: string[]): string {
  return [`def ${n.fn}(${n.args.join(', ')}):`, ...body.map((l) => '    ' + l)].join('\n');
}

export function randInt(rng: Rng, lo: number, hi: number): number {
  return lo + rng.int(hi - lo + 1);
}

export function randList(rng: Rng, minLen: number, maxLen: number, lo = -9, hi = 12): number[] {
  const len = randInt(rng, minLen, maxLen);
  return Array.from({ length: len }, () => randInt(rng, lo, hi));
}

export function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[rng.int(xs.length)]!;
}

const WORDS = [
  'apple',
  'tree',
  'sky',
  'data',
  'cat',
  'banana',
  'river',
  'code',
  'sun',
  'moon',
  'red',
  'blue',
  'stone',
  'leaf',
  'bird',
  'rain',
  'fire',
  'note',
  'map',
  'key',
  'elephant',
  'strawberry',
];

export function randWords(rng: Rng, min: number, max: number): string[] {
  return Array.from({ length: randInt(rng, min, max) }, () => pick(rng, WORDS));
}

const CHARS = 'abcdeiorstnlxyzAEIOUBCDT0123456789 ';

export function randText(rng: Rng, min: number, max: number): string {
  return Array.from({ length: randInt(rng, min, max) }, () => CHARS[rng.int(CHARS.length)]).join('');
}

/** A small dict of short string keys to integers. */
export function randDict(rng: Rng, min: number, max: number): { dict: [string, PyValue][] } {
  const keys = ['a', 'b', 'c', 'd', 'x', 'y', 'k', 'm'];
  rng.shuffle(keys);
  const len = randInt(rng, min, max);
  return { dict: keys.slice(0, len).map((k) => [k, randInt(rng, -9, 12)] as [string, PyValue]) };
}

/** Cartesian product of parameter choices. */
export function product<A, B>(as: readonly A[], bs: readonly B[]): [A, B][] {
  return as.flatMap((a) => bs.map((b) => [a, b] as [A, B]));
}
