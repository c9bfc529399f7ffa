/**
 * HumanEval problems: parse the official JSONL (task_id, prompt, canonical_solution, test, entry_point)
 * and select a subset. Parsing is all-or-nothing: every bad line is listed in one DataFormatError with its
 * 1-based line number, and no problem is returned when any line is bad.
 */
import type { HumanEvalProblem } from './types.ts';
import { DataFormatError, UsageError } from '../errors.ts';

const FIELDS = ['task_id', 'prompt', 'canonical_solution', 'test', 'entry_point'] as const;
/** check(<entry_point>) is pasted into Python source, so it must be a plain identifier. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

function problemFrom(raw: unknown): HumanEvalProblem {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new Error(
      `expected a JSON object, found ${Array.isArray(raw) ? 'an array' : raw === null ? 'null' : typeof raw}`,
    );
  }
  const o = raw as Record<string, unknown>;
  const missing = FIELDS.filter((f) => !(f in o));
  if (missing.length)
    throw new Error(`missing ${missing.map((m) => `"${m}"`).join(', ')} (expected ${FIELDS.join(', ')})`);
  for (const f of FIELDS) {
    if (typeof o[f] !== 'string')
      throw new Error(`"${f}" must be a string, found ${o[f] === null ? 'null' : typeof o[f]}`);
  }
  const p = o as unknown as HumanEvalProblem;
  if (!p.task_id) throw new Error('"task_id" is empty');
  if (!IDENTIFIER.test(p.entry_point))
    throw new Error(`"entry_point" must be a Python identifier, found ${JSON.stringify(p.entry_point)}`);
  return {
    task_id: p.task_id,
    prompt: p.prompt,
    canonical_solution: p.canonical_solution,
    test: p.test,
    entry_point: p.entry_point,
  };
}

/** Blank lines are skipped. Throws DataFormatError ("line 3: ...; line 7: ...") when any line is bad. */
export function parseProblemsJsonl(text: string): HumanEvalProblem[] {
  const problems: HumanEvalProblem[] = [];
  const errors: string[] = [];
  const seen = new Map<string, number>();
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    const n = i + 1;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (e) {
      errors.push(`line ${n}: not valid JSON (${(e as Error).message})`);
      return;
    }
    try {
      const p = problemFrom(raw);
      const first = seen.get(p.task_id);
      if (first !== undefined) throw new Error(`duplicate task_id "${p.task_id}" (first on line ${first})`);
      seen.set(p.task_id, n);
      problems.push(p);
    } catch (e) {
      errors.push(`line ${n}: ${(e as Error).message}`);
    }
  });
  if (errors.length) {
    const shown = errors.slice(0, 20).join('; ');
    throw new DataFormatError(
      `HumanEval JSONL: ${errors.length} bad line(s), nothing loaded: ${shown}${errors.length > 20 ? '; …' : ''}`,
    );
  }
  if (problems.length === 0)
    throw new DataFormatError('HumanEval JSONL: no problems found (expected one JSON object per line)');
  return problems;
}

/**
 * Subset selection: explicit task ids (in the given order; unknown ids are an error) or the first `limit`
 * problems in file order, or all.
 */
export function selectProblems(
  problems: readonly HumanEvalProblem[],
  sel: { limit?: number; ids?: readonly string[] },
): HumanEvalProblem[] {
  if (sel.ids && sel.ids.length) {
    if (sel.limit !== undefined) throw new UsageError('give either a limit or explicit task ids, not both');
    const byId = new Map(problems.map((p) => [p.task_id, p]));
    const unknown = sel.ids.filter((id) => !byId.has(id));
    if (unknown.length)
      throw new UsageError(
        `unknown task id(s): ${unknown.join(', ')} (the file has ${problems[0]?.task_id} … ${problems.at(-1)?.task_id})`,
      );
    if (new Set(sel.ids).size !== sel.ids.length) throw new UsageError('a task id is listed twice');
    return sel.ids.map((id) => byId.get(id) as HumanEvalProblem);
  }
  if (sel.limit !== undefined) {
    if (!Number.isInteger(sel.limit) || sel.limit < 1)
      throw new UsageError(`limit: expected an integer ≥ 1, found ${sel.limit}`);
    return problems.slice(0, sel.limit);
  }
  return [...problems];
}
