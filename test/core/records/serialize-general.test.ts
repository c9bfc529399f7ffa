/**
 * Records beyond the usual 4 / 2 messages, as the official processor reads them, and a record with a
 * huge block (dropped as too long, never a stack overflow).
 */
import { describe, expect, it } from 'vitest';
import { studentVisibility } from '../../../src/core/distill/masks.ts';
import {
  encodeRecord,
  encodeRecords,
  messageSegments,
  type TokenizerLike,
} from '../../../src/core/records/serialize.ts';
import { validateRecord } from '../../../src/core/records/schema.ts';

const SPECIAL: Record<string, number> = {
  '<|user|>': 3,
  '<|assistant|>': 4,
  '<|endofmessage|>': 5,
  '<|text|>': 6,
  '<|code|>': 7,
  '<|execution|>': 8,
  '<|endofblock|>': 9,
};

/** Each character is one token (id 20 + code % 50); `big:N` encodes to N tokens without building a string. */
const charTok: TokenizerLike = {
  bos: 1,
  eos: 2,
  encode: (t) =>
    t.startsWith('big:')
      ? new Array<number>(Number(t.slice(4))).fill(21)
      : Array.from(t, (c) => 20 + (c.charCodeAt(0) % 50)),
  special: (n) => SPECIAL[n]!,
};

const m = (role: string, content: string, type = 'text') => ({ role, content: [{ type, content }] });

describe('general message lists', () => {
  it('segments: first assistant = reflection sequence, last = final answer, others instruction / response', () => {
    expect(messageSegments('reflection', ['user', 'assistant', 'user', 'assistant', 'user', 'assistant'])).toEqual([
      'reflection_instruction',
      'reflection_sequence',
      'instruction',
      'response',
      'instruction',
      'final_answer',
    ]);
    expect(messageSegments('reflection', ['user', 'user', 'assistant', 'assistant'])).toEqual([
      'reflection_instruction',
      'reflection_instruction',
      'reflection_sequence',
      'final_answer',
    ]);
    expect(messageSegments('generation', ['user', 'assistant', 'user', 'assistant'])).toEqual([
      'instruction',
      'final_answer',
      'instruction',
      'final_answer',
    ]);
  });

  it('a 6-message reflection record: labels and student visibility as the official processor / collator', () => {
    const r = validateRecord({
      type: 'reflection',
      messages: [
        m('user', 'q'),
        m('assistant', 'ab', 'code'),
        m('user', 'u'),
        m('assistant', 'cd', 'code'),
        m('user', 'v'),
        m('assistant', 'ef'),
      ],
    });
    const e = encodeRecord(r, charTok);
    const A = e.ids.indexOf(4);
    const lastA = e.ids.lastIndexOf(4);
    // Distillation labels (processor.py:74–75): from the LAST <|assistant|> to the final <|endofmessage|>.
    e.studentTargets.forEach((t, i) => expect(t).toBe(i >= lastA && i < e.ids.length - 1));
    // Teacher labels: user messages (from <|user|> through <|endofmessage|>) are ignored, assistant messages are not.
    e.ids.forEach((id, i) => {
      if (id === 3) expect(e.teacherTargets[i]).toBe(false);
      if (id === 4) expect(e.teacherTargets[i]).toBe(true);
    });
    // Student (trainer.py:151–157): hidden through the first <|assistant|> and its message's <|endofmessage|>; the rest visible.
    const vis = studentVisibility(e, { strategy: 'all', order: 'EAC' }, 1);
    const firstEom = e.ids.indexOf(5, A);
    vis.forEach((v, i) => expect(v).toBe(i > firstEom));
  });

  it('a block of 200,000 tokens is dropped as too long and counted, without a RangeError', () => {
    const r = validateRecord({ type: 'generation', messages: [m('user', 'q'), m('assistant', 'big:200000')] });
    const ok = validateRecord({ type: 'generation', messages: [m('user', 'q'), m('assistant', 'fine')] });
    const res = encodeRecords([r, ok], charTok, 4096);
    expect(res.dropped).toBe(1);
    expect(res.droppedIndices).toEqual([0]);
    expect(res.encoded).toHaveLength(1);
  });
});
