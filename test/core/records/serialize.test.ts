import { describe, expect, it } from 'vitest';
import { encodeRecord, encodeRecords } from '../../../src/core/records/serialize.ts';
import { validateRecord } from '../../../src/core/records/schema.ts';
import { loadReflectionLossFixture, rebuildFixtureRecord } from '../helpers/fixture-record.ts';

describe('encodeRecord on the fixture record', () => {
  const fx = loadReflectionLossFixture();
  const { record, tok } = rebuildFixtureRecord(fx);

  it('rebuilds a valid reflection record with 4 messages', () => {
    expect(validateRecord(record).messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(record.messages[1]!.content.map((b) => b.type)).toEqual([
      'code',
      'execution',
      'text',
      'code',
      'execution',
      'text',
    ]);
  });

  it('reproduces ids, annotation, teacher and student targets exactly', () => {
    const enc = encodeRecord(record, tok);
    expect(enc.ids).toEqual(fx.input_ids);
    expect(enc.annotation).toEqual(fx.annotation);
    expect(enc.teacherTargets).toEqual(fx.teacher_targets);
    expect(enc.studentTargets).toEqual(fx.student_targets);
  });

  it('drops (not truncates) records over the maximum length and counts them', () => {
    const n = fx.input_ids.length;
    const gen = validateRecord({
      type: 'generation',
      messages: [
        { role: 'user', content: [{ type: 'text', content: record.messages[0]!.content[0]!.content }] },
        { role: 'assistant', content: [{ type: 'text', content: record.messages[3]!.content[0]!.content }] },
      ],
    });
    const genLen = encodeRecord(gen, tok).ids.length;
    expect(genLen).toBeLessThan(n);
    const out = encodeRecords([record, gen, record], tok, n - 1);
    expect(out.dropped).toBe(2);
    expect(out.droppedIndices).toEqual([0, 2]);
    expect(out.encoded).toHaveLength(1);
    expect(out.encoded[0]!.ids).toHaveLength(genLen);
    expect(encodeRecords([record], tok, n).dropped).toBe(0);
  });

  it('annotates a generation record as instruction + final answer with next-token targets only', () => {
    const gen = validateRecord({
      type: 'generation',
      messages: [
        { role: 'user', content: [{ type: 'text', content: record.messages[2]!.content[0]!.content }] },
        { role: 'assistant', content: [{ type: 'text', content: record.messages[3]!.content[0]!.content }] },
      ],
    });
    const enc = encodeRecord(gen, tok);
    const segs = [...new Set(enc.annotation.map((a) => a.segment))];
    expect(segs).toEqual([
      'bos',
      'instruction:header',
      'instruction',
      'instruction:end',
      'final_answer:header',
      'final_answer',
      'final_answer:end',
      'eos',
    ]);
    expect(enc.studentTargets.every((t) => !t)).toBe(true);
    // Targets: the assistant message and EOS, nothing else.
    const firstTarget = enc.teacherTargets.indexOf(true);
    expect(enc.annotation[firstTarget]!.segment).toBe('final_answer:header');
    expect(enc.teacherTargets.slice(firstTarget).every((t) => t)).toBe(true);
  });
});
