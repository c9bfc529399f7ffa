import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRecordsJsonl } from '../../../src/core/records/jsonl.ts';
import { importReleased } from '../../../src/core/records/released.ts';
import { FIXTURES } from '../helpers/fixture-record.ts';
import { CODE_FEEDBACK_RECORD, CODE_FEEDBACK_ROW } from './released-rows.ts';

describe('released files → records (download.py)', () => {
  it('a CodeFeedback row becomes the generation record download.py writes', () => {
    const res = importReleased(JSON.stringify(CODE_FEEDBACK_ROW) + '\n');
    expect(res.errors).toEqual([]);
    expect(res.records).toEqual([CODE_FEEDBACK_RECORD]);
    expect(res.counts).toEqual({ codeFeedback: 1, reflectionSeq: 0 });
    expect(res.ignoredKeys.size).toBe(0); // download.py drops the other columns by design
  });

  it('ReflectionSeq rows (messages as a list or a JSON string) are taken as released; a JSON array file works too', () => {
    const text = readFileSync(path.join(FIXTURES, 'reflection-records-example.jsonl'), 'utf8');
    const res = importReleased(text);
    expect(res.errors).toEqual([]);
    expect(res.records).toEqual(parseRecordsJsonl(text).records);
    expect(res.counts).toEqual({ codeFeedback: 0, reflectionSeq: 3 });
    const rows = text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const asArray = importReleased(JSON.stringify([...rows.map((r) => ({ ...r, id: 1 })), CODE_FEEDBACK_ROW]));
    expect(asArray.records).toHaveLength(4);
    expect(asArray.ignoredKeys.get('record.id')).toBe(3);
  });

  it('all or nothing: bad rows are reported with their numbers', () => {
    const res = importReleased([JSON.stringify(CODE_FEEDBACK_ROW), '{"query": "q"}', 'nope'].join('\n'));
    expect(res.records).toEqual([]);
    expect(res.errors.map((e) => e.line)).toEqual([2, 3]);
    expect(() => importReleased('[{"a": 1}')).toThrow(/not a valid JSON array/);
  });
});
