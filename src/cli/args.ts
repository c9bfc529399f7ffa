import { UsageError } from '../core/errors.ts';

export interface ParsedArgs {
  /** `--key value` and `--flag` (true); a repeated key keeps every value in `all`. */
  flags: Map<string, string | true>;
  all: Map<string, string[]>;
  positional: string[];
}

/**
 * Minimal GNU-style parser: `--key value`, `--key=value`, `--flag`. Which keys take a value is
 * declared, so `--greedy --print-ids` parse as flags and unknown keys are rejected by name.
 */
export function parseArgs(argv: string[], spec: { values: string[]; flags: string[]; multi?: string[] }): ParsedArgs {
  const flags = new Map<string, string | true>();
  const all = new Map<string, string[]>();
  const positional: string[] = [];
  const multi = new Set(spec.multi ?? []);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const key = eq >= 0 ? a.slice(2, eq) : a.slice(2);
    if (spec.flags.includes(key)) {
      if (eq >= 0) throw new UsageError(`--${key} is a flag and takes no value`);
      flags.set(key, true);
    } else if (spec.values.includes(key) || multi.has(key)) {
      let v: string | undefined;
      if (eq >= 0) v = a.slice(eq + 1);
      else {
        v = argv[++i];
        if (v === undefined || (v.startsWith('--') && v.length > 2)) throw new UsageError(`--${key} needs a value`);
      }
      flags.set(key, v);
      if (multi.has(key)) {
        // `--data a.jsonl b.jsonl`: take following non-option words too.
        const vals = all.get(key) ?? [];
        vals.push(v);
        while (eq < 0 && i + 1 < argv.length && !argv[i + 1].startsWith('--')) vals.push(argv[++i]);
        all.set(key, vals);
      }
    } else {
      const known = [...spec.values, ...(spec.multi ?? []), ...spec.flags].map((k) => `--${k}`).join(', ');
      throw new UsageError(`unknown option --${key}; known options: ${known}`);
    }
  }
  return { flags, all, positional };
}

export function numberArg(
  args: ParsedArgs,
  key: string,
  fallback: number,
  opts: { integer?: boolean; min?: number; max?: number } = {},
): number {
  const raw = args.flags.get(key);
  if (raw === undefined) return fallback;
  if (raw === true) throw new UsageError(`--${key} needs a number`);
  const n = Number(raw);
  if (!Number.isFinite(n) || (opts.integer && !Number.isInteger(n)))
    throw new UsageError(`--${key}: expected ${opts.integer ? 'an integer' : 'a number'}, found "${raw}"`);
  if (opts.min !== undefined && n < opts.min) throw new UsageError(`--${key}: expected ≥ ${opts.min}, found ${n}`);
  if (opts.max !== undefined && n > opts.max) throw new UsageError(`--${key}: expected ≤ ${opts.max}, found ${n}`);
  return n;
}

export function stringArg(args: ParsedArgs, key: string): string | undefined {
  const raw = args.flags.get(key);
  if (raw === true) throw new UsageError(`--${key} needs a value`);
  return raw;
}

/** Token ids given as "1", "1 403 12" or "1,403,12": non-negative integers, at least one. */
export function parseIds(raw: string, key: string): number[] {
  const parts = raw.split(/[\s,]+/).filter(Boolean);
  const ids = parts.map(Number);
  if (!parts.length || ids.some((n) => !Number.isInteger(n) || n < 0))
    throw new UsageError(`--${key}: expected non-negative integer ids, found "${raw}"`);
  return ids;
}

/** The values of two options that exclude each other: giving both is a UsageError. */
export function exclusiveArgs(args: ParsedArgs, a: string, b: string): [string | undefined, string | undefined] {
  const va = stringArg(args, a);
  const vb = stringArg(args, b);
  if (va !== undefined && vb !== undefined) throw new UsageError(`give --${a} or --${b}, not both`);
  return [va, vb];
}
