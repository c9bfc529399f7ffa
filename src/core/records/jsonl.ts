/**
 * JSONL import/export of records. Import is all-or-nothing: every line is checked, every bad line is
 * reported with its 1-based line number, and a file with any bad line yields no records at all, so a
 * dataset is never half-imported.
 */
import { DataFormatError } from '../errors.ts';
import { validateRecord, type IgnoredKeys, type ReflectionRecord } from './schema.ts';

export interface LineError {
  /** 1-based line number in the file. */
  line: number;
  message: string;
}

/** How many bad lines the thrown error spells out (the rest are counted). */
const MAX_LISTED_ERRORS = 20;

/** Checks every line; never throws. `records` is empty whenever `errors` is not. Blank lines are skipped.
 *  `ignoredKeys` counts the unknown keys dropped, by path (e.g. `record.id` → 3). */
export function checkRecordsJsonl(text: string): {
  records: ReflectionRecord[];
  errors: LineError[];
  ignoredKeys: IgnoredKeys;
} {
  const records: ReflectionRecord[] = [];
  const errors: LineError[] = [];
  const ignoredKeys: IgnoredKeys = new Map();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/\r$/, '');
    if (raw.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(raw) as unknown;
    } catch (e) {
      errors.push({ line: i + 1, message: `not valid JSON (${(e as Error).message})` });
      continue;
    }
    try {
      records.push(validateRecord(value, ignoredKeys));
    } catch (e) {
      if (!(e instanceof DataFormatError)) throw e;
      errors.push({ line: i + 1, message: e.message });
    }
  }
  if (errors.length > 0) return { records: [], errors, ignoredKeys };
  return { records, errors, ignoredKeys };
}

/** "ignored unknown keys: record.id ×3, block.lang ×1", or null when none were ignored. */
export function formatIgnoredKeys(ignored: IgnoredKeys): string | null {
  if (ignored.size === 0) return null;
  return `ignored unknown keys: ${[...ignored].map(([k, n]) => `${k} ×${n}`).join(', ')}`;
}

/** Formats line errors as one message: "3 bad lines: line 2: …; line 5: …". */
export function formatLineErrors(errors: LineError[]): string {
  const shown = errors.slice(0, MAX_LISTED_ERRORS).map((e) => `line ${e.line}: ${e.message}`);
  const more = errors.length > MAX_LISTED_ERRORS ? `; … and ${errors.length - MAX_LISTED_ERRORS} more` : '';
  const n = errors.length;
  return `${n} bad line${n === 1 ? '' : 's'}, nothing imported: ${shown.join('; ')}${more}`;
}

/** Parses a JSONL file of records. Throws one DataFormatError naming every bad line (nothing imported). */
export function parseRecordsJsonl(text: string): { records: ReflectionRecord[]; ignoredKeys: IgnoredKeys } {
  const { records, errors, ignoredKeys } = checkRecordsJsonl(text);
  if (errors.length > 0) throw new DataFormatError(formatLineErrors(errors));
  if (records.length === 0) throw new DataFormatError('expected at least one record, found an empty file');
  return { records, ignoredKeys };
}

/** One record as one JSON line in the official schema (messages always as an array). */
export function recordToJson(r: ReflectionRecord): string {
  return JSON.stringify({
    messages: r.messages.map((m) => ({
      role: m.role,
      content: m.content.map((b) => ({ type: b.type, content: b.content })),
    })),
    type: r.type,
  });
}

export function recordsToJsonl(records: ReflectionRecord[]): string {
  return records.map(recordToJson).join('\n') + (records.length > 0 ? '\n' : '');
}
