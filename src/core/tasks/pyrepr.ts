/** Python literals of task values (what `repr()` prints), for asserts and prompts. */
import type { PyDict, PyValue } from './types.ts';

export const isDict = (v: PyValue): v is PyDict => typeof v === 'object' && v !== null && !Array.isArray(v);

function strRepr(s: string): string {
  if (/[\\\n\r\t]/.test(s))
    throw new RangeError(`task strings must not hold backslashes or control characters: ${JSON.stringify(s)}`);
  return s.includes("'") && !s.includes('"') ? `"${s}"` : `'${s.replace(/'/g, "\\'")}'`;
}

export function pyRepr(v: PyValue): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new RangeError(`task numbers are integers, found ${v}`);
    return String(v);
  }
  if (typeof v === 'string') return strRepr(v);
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  return `{${v.dict.map(([k, x]) => `${strRepr(k)}: ${pyRepr(x)}`).join(', ')}}`;
}

/** Python's floored modulo. */
export const pyMod = (a: number, b: number): number => ((a % b) + b) % b;
/** Python's floored integer division. */
export const pyDiv = (a: number, b: number): number => Math.floor(a / b);

/** The assert of one test: `is` for None and booleans (a 1 is not True), `==` otherwise. */
export function assertLine(fn: string, args: PyValue[], expected: PyValue): string {
  const call = `${fn}(${args.map(pyRepr).join(', ')})`;
  if (expected === null || typeof expected === 'boolean') return `assert ${call} is ${pyRepr(expected)}`;
  return `assert ${call} == ${pyRepr(expected)}`;
}
