/**
 * Released data → training records, as the official src/data/download.py prepares them:
 *  - a CodeFeedback row `{query, answer, …}` (m-a-p/CodeFeedback-Filtered-Instruction) becomes a
 *    generation record: user text `html.unescape(query)`, assistant text
 *    `html.unescape(answer).replace("\r\n", "\n").replace("\t", "    ").strip()`, every other column
 *    dropped (download.py lines 8–15);
 *  - a ReflectionSeq row `{messages, type, …}` is taken as released (download.py line 26–30 writes it
 *    unchanged), with `messages` as a list or a JSON string; unknown keys are ignored and counted.
 * The file is JSON Lines (Hugging Face `to_json`) or one JSON array. Like the JSONL import it is
 * all-or-nothing: every bad line is reported with its number and no record is returned.
 */
import { DataFormatError } from '../errors.ts';
import { pyStrip } from '../eval/prompt.ts';
import { htmlUnescape } from './html-unescape.ts';
import type { LineError } from './jsonl.ts';
import { validateRecord, type IgnoredKeys, type ReflectionRecord } from './schema.ts';

export interface ReleasedImport {
  records: ReflectionRecord[];
  errors: LineError[];
  ignoredKeys: IgnoredKeys;
  /** Rows converted from CodeFeedback's {query, answer} and rows already in the messages schema. */
  counts: { codeFeedback: number; reflectionSeq: number };
}

/** download.py process(): one CodeFeedback row → a generation record (not yet validated). */
export function codeFeedbackRecord(row: { query: string; answer: string }): unknown {
  const output = pyStrip(htmlUnescape(row.answer).split('\r\n').join('\n').split('\t').join('    '));
  return {
    messages: [
      { role: 'user', content: [{ type: 'text', content: htmlUnescape(row.query) }] },
      { role: 'assistant', content: [{ type: 'text', content: output }] },
    ],
    type: 'generation',
  };
}

function isCodeFeedback(v: unknown): v is { query: string; answer: string } {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  return !('messages' in o) && typeof o.query === 'string' && typeof o.answer === 'string';
}

/** The rows of a file: JSON Lines, or a single JSON array (each element one row, numbered from 1). */
function rows(text: string): { line: number; parse: () => unknown }[] {
  const t = text.replace(/^\uFEFF/, '');
  if (t.trimStart().startsWith('[')) {
    let arr: unknown;
    try {
      arr = JSON.parse(t);
    } catch (e) {
      throw new DataFormatError(`the file starts with "[" but is not a valid JSON array: ${(e as Error).message}`);
    }
    if (!Array.isArray(arr)) throw new DataFormatError('expected a JSON array of rows');
    return arr.map((v, i) => ({ line: i + 1, parse: () => v }));
  }
  const out: { line: number; parse: () => unknown }[] = [];
  t.split('\n').forEach((raw, i) => {
    const s = raw.replace(/\r$/, '');
    if (s.trim() !== '') out.push({ line: i + 1, parse: () => JSON.parse(s) as unknown });
  });
  return out;
}

export function importReleased(text: string): ReleasedImport {
  const records: ReflectionRecord[] = [];
  const errors: LineError[] = [];
  const ignoredKeys: IgnoredKeys = new Map();
  const counts = { codeFeedback: 0, reflectionSeq: 0 };
  for (const r of rows(text)) {
    let value: unknown;
    try {
      value = r.parse();
    } catch (e) {
      errors.push({ line: r.line, message: `not valid JSON (${(e as Error).message})` });
      continue;
    }
    try {
      if (isCodeFeedback(value)) {
        records.push(validateRecord(codeFeedbackRecord(value)));
        counts.codeFeedback++;
      } else {
        records.push(validateRecord(value, ignoredKeys));
        counts.reflectionSeq++;
      }
    } catch (e) {
      if (!(e instanceof DataFormatError)) throw e;
      errors.push({ line: r.line, message: e.message });
    }
  }
  if (errors.length > 0) return { records: [], errors, ignoredKeys, counts };
  return { records, errors, ignoredKeys, counts };
}
