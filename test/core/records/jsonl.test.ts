import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataFormatError } from '../../../src/core/errors.ts';
import {
  checkRecordsJsonl,
  formatIgnoredKeys,
  parseRecordsJsonl,
  recordsToJsonl,
} from '../../../src/core/records/jsonl.ts';
import { validateRecord } from '../../../src/core/records/schema.ts';
import { FIXTURES } from '../helpers/fixture-record.ts';

const example = readFileSync(path.join(FIXTURES, 'reflection-records-example.jsonl'), 'utf8');
const goodGen = JSON.stringify({
  messages: [
    { role: 'user', content: [{ type: 'text', content: 'q' }] },
    { role: 'assistant', content: [{ type: 'text', content: 'a' }] },
  ],
  type: 'generation',
});

describe('records JSONL', () => {
  it('parses the three example records, including the JSON-string messages one', () => {
    const { records } = parseRecordsJsonl(example);
    expect(records.map((r) => r.type)).toEqual(['reflection', 'generation', 'reflection']);
    expect(records[0]!.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(records[0]!.messages[1]!.content.map((b) => b.type)).toEqual([
      'code',
      'execution',
      'text',
      'code',
      'execution',
      'text',
    ]);
    expect(records[0]!.messages[1]!.content[1]!.content).toContain('Cell In[1], line 15');
    expect(records[0]!.messages[1]!.content[4]!.content).toBe('');
    expect(records[0]!.messages[3]!.content[0]!.content).toMatch(/^```python\n/);
    // The string-encoded copy is the same record.
    expect(records[2]).toEqual(records[0]);
  });

  it('round-trips: export then import gives the same records, and export is stable', () => {
    const { records } = parseRecordsJsonl(example);
    const out = recordsToJsonl(records);
    expect(out.split('\n').filter(Boolean)).toHaveLength(3);
    const again = parseRecordsJsonl(out).records;
    expect(again).toEqual(records);
    expect(recordsToJsonl(again)).toBe(out);
    // Lines 1 and 2 were already in the array form: exported byte-identically (modulo key order of the source).
    const src = example.split('\n').filter(Boolean);
    expect(JSON.parse(out.split('\n')[1]!)).toEqual(JSON.parse(src[1]!));
  });

  it('all-or-nothing: bad lines are all listed with their line numbers and nothing is imported', () => {
    const lines = example.split('\n').filter(Boolean);
    const text = [
      lines[0],
      '{not json',
      lines[1],
      '',
      JSON.stringify({ type: 'reflection', messages: [] }),
      goodGen,
    ].join('\n');
    const res = checkRecordsJsonl(text);
    expect(res.records).toEqual([]);
    expect(res.errors.map((e) => e.line)).toEqual([2, 5]);
    expect(res.errors[0]!.message).toMatch(/not valid JSON/);
    expect(res.errors[1]!.message).toMatch(
      /needs at least one user message and ends with an assistant message, found \[\]/,
    );
    expect(() => parseRecordsJsonl(text)).toThrow(DataFormatError);
    expect(() => parseRecordsJsonl(text)).toThrow(/2 bad lines, nothing imported: line 2: .*; line 5: /);
  });

  it('CRLF line endings and blank lines are accepted', () => {
    expect(parseRecordsJsonl(`${goodGen}\r\n\r\n${goodGen}\r\n`).records).toHaveLength(2);
  });

  it('an empty file is an error, not an empty dataset', () => {
    expect(() => parseRecordsJsonl('\n\n')).toThrow(/at least one record/);
  });

  const bad: [string, unknown, RegExp][] = [
    [
      'missing final answer',
      {
        type: 'reflection',
        messages: [
          { role: 'user', content: [{ type: 'text', content: 'x' }] },
          { role: 'assistant', content: [{ type: 'code', content: 'y' }] },
          { role: 'user', content: [{ type: 'text', content: 'z' }] },
        ],
      },
      /no final answer/,
    ],
    [
      'generation without answer',
      { type: 'generation', messages: [{ role: 'user', content: [{ type: 'text', content: 'x' }] }] },
      /no final answer/,
    ],
    [
      'unknown block type',
      {
        type: 'generation',
        messages: [
          { role: 'user', content: [{ type: 'image', content: 'x' }] },
          { role: 'assistant', content: [{ type: 'text', content: 'a' }] },
        ],
      },
      /message 0 block 0: unknown block type "image"/,
    ],
    [
      'unknown role',
      {
        type: 'generation',
        messages: [
          { role: 'system', content: [{ type: 'text', content: 'x' }] },
          { role: 'assistant', content: [{ type: 'text', content: 'a' }] },
        ],
      },
      /message 0: unknown role "system"/,
    ],
    ['wrong record type', { type: 'chat', messages: [] }, /"reflection" or "generation", found "chat"/],
    ['missing type', { messages: [] }, /found undefined/],
    ['messages not JSON', { type: 'generation', messages: '[{' }, /messages is a string but not valid JSON/],
    [
      'content not a string',
      {
        type: 'generation',
        messages: [
          { role: 'user', content: [{ type: 'text', content: 3 }] },
          { role: 'assistant', content: [{ type: 'text', content: 'a' }] },
        ],
      },
      /content must be a string, found number/,
    ],
    [
      'message without blocks',
      {
        type: 'generation',
        messages: [
          { role: 'user', content: [] },
          { role: 'assistant', content: [{ type: 'text', content: 'a' }] },
        ],
      },
      /message 0: message has no blocks/,
    ],
    [
      'a single assistant message in a reflection record',
      {
        type: 'reflection',
        messages: [
          { role: 'user', content: [{ type: 'text', content: 'x' }] },
          { role: 'assistant', content: [{ type: 'code', content: 'y' }] },
        ],
      },
      /needs two assistant messages/,
    ],
    [
      'no user message',
      { type: 'generation', messages: [{ role: 'assistant', content: [{ type: 'text', content: 'a' }] }] },
      /needs at least one user message/,
    ],
    [
      'an empty message',
      {
        type: 'generation',
        messages: [
          { role: 'user', content: [{ type: 'text', content: '' }] },
          { role: 'assistant', content: [{ type: 'text', content: 'a' }] },
        ],
      },
      /message 0: message content is empty/,
    ],
    [
      'a blank answer',
      {
        type: 'generation',
        messages: [
          { role: 'user', content: [{ type: 'text', content: 'q' }] },
          {
            role: 'assistant',
            content: [
              { type: 'code', content: ' \n ' },
              { type: 'execution', content: '' },
            ],
          },
        ],
      },
      /message 1: message content is empty/,
    ],
    [
      'ends with a user message',
      {
        type: 'generation',
        messages: [
          { role: 'assistant', content: [{ type: 'text', content: 'a' }] },
          { role: 'user', content: [{ type: 'text', content: 'x' }] },
        ],
      },
      /found \[assistant, user\] \(no final answer\)/,
    ],
    ['not an object', [1, 2], /expected a record object/],
  ];
  it('accepts any user/assistant list the official processor accepts, and ignores (counts) unknown keys', () => {
    const m = (role: string, content: string, type = 'text') => ({ role, content: [{ type, content }] });
    const six = {
      type: 'reflection',
      id: 7,
      messages: [
        m('user', 'q'),
        m('assistant', 'c1', 'code'),
        m('user', 'fix it'),
        { ...m('assistant', 'c2', 'code'), name: 'bot' },
        m('user', 'now answer'),
        m('assistant', 'final'),
      ],
    };
    const twoUsers = {
      type: 'generation',
      source: 'x',
      messages: [
        m('user', 'a'),
        m('user', 'b'),
        { role: 'assistant', content: [{ type: 'text', content: 'c', lang: 'py' }] },
      ],
    };
    const res = checkRecordsJsonl([JSON.stringify(six), JSON.stringify(twoUsers)].join('\n'));
    expect(res.errors).toEqual([]);
    expect(res.records.map((r) => r.messages.length)).toEqual([6, 3]);
    expect(res.records[0]).not.toHaveProperty('id');
    expect(Object.keys(res.records[0]!.messages[3]!)).toEqual(['role', 'content']);
    expect([...res.ignoredKeys]).toEqual([
      ['record.id', 1],
      ['message.name', 1],
      ['record.source', 1],
      ['block.lang', 1],
    ]);
    expect(formatIgnoredKeys(res.ignoredKeys)).toBe(
      'ignored unknown keys: record.id ×1, message.name ×1, record.source ×1, block.lang ×1',
    );
    expect(formatIgnoredKeys(checkRecordsJsonl(goodGen).ignoredKeys)).toBeNull();
  });

  it.each(bad)('rejects %s with a clear DataFormatError', (_name, raw, re) => {
    expect(() => validateRecord(raw)).toThrow(DataFormatError);
    expect(() => validateRecord(raw)).toThrow(re);
    const res = checkRecordsJsonl(`${goodGen}\n${JSON.stringify(raw)}`);
    expect(res.records).toEqual([]);
    expect(res.errors).toHaveLength(1);
    expect(res.errors[0]!.line).toBe(2);
  });
});
