/**
 * Serialisation of a record into one token sequence (docs/METHOD.md §2), kept separate from tokenisation:
 * the caller supplies any `TokenizerLike`, so tests can feed the fixture's pre-tokenised ids.
 *
 *   sample  = BOS + messages + EOS
 *   message = {role token} {blocks} <|endofmessage|>
 *   block   = {type token} {content} <|endofblock|>
 *
 * Every token is annotated with the fixture's vocabulary (segment, block index, block type), and the
 * teacher/student loss targets are derived from the annotation.
 */
import type { BlockType, RecordType, ReflectionRecord, Role } from './schema.ts';

export interface TokenizerLike {
  encode(text: string): number[];
  /** Optional: encoding that never emits special tokens; used for block contents when present. */
  encodeOrdinary?(text: string): number[];
  special(name: string): number;
  readonly bos: number;
  readonly eos: number;
}

/** `response`: an assistant message between the reflection sequence and the final answer (records of 6+ messages). */
export type MessageSegment =
  'reflection_instruction' | 'reflection_sequence' | 'instruction' | 'response' | 'final_answer';
export type Segment = 'bos' | 'eos' | MessageSegment | `${MessageSegment}:header` | `${MessageSegment}:end`;

export interface TokenAnnotation {
  segment: Segment;
  /** block index inside its message; -1 for BOS, EOS and a message's role token / <|endofmessage|>. */
  block: number;
  block_type: BlockType | null;
}

export interface EncodedRecord {
  type: RecordType;
  ids: number[];
  annotation: TokenAnnotation[];
  /** Teacher (and generation) targets: all but BOS, user messages and execution blocks. */
  teacherTargets: boolean[];
  /** Final answer from its <|assistant|> through its <|endofmessage|>; EOS excluded. */
  studentTargets: boolean[];
}

export const ROLE_TOKEN: Record<Role, string> = { user: '<|user|>', assistant: '<|assistant|>' };
export const BLOCK_TOKEN: Record<BlockType, string> = {
  text: '<|text|>',
  code: '<|code|>',
  execution: '<|execution|>',
};
export const END_OF_MESSAGE = '<|endofmessage|>';
export const END_OF_BLOCK = '<|endofblock|>';

/**
 * The segment of each message, as the official code reads a record: user messages before the first
 * assistant message are the reflection instruction (hidden from the student, trainer.py:151/157); the
 * first assistant message is the reflection sequence (masked by the strategy); the LAST assistant
 * message is the final answer (distillation labels from its <|assistant|>, processor.py:74–75); other
 * user messages are instructions, other assistant messages responses. Generation records: user
 * messages are instructions, assistant messages answers.
 */
export function messageSegments(type: RecordType, roles: readonly Role[]): MessageSegment[] {
  if (type === 'generation') return roles.map((r) => (r === 'user' ? 'instruction' : 'final_answer'));
  const first = roles.indexOf('assistant');
  const last = roles.lastIndexOf('assistant');
  return roles.map((r, i) => {
    if (r === 'user') return first < 0 || i < first ? 'reflection_instruction' : 'instruction';
    if (i === last) return 'final_answer';
    return i === first ? 'reflection_sequence' : 'response';
  });
}

/** Whether an annotated token is a teacher target (docs/METHOD.md §2): not BOS, not part of a user
 *  message, not part of an execution block — the environment supplies those at use time. */
export function isTeacherTarget(a: TokenAnnotation): boolean {
  if (a.segment === 'bos') return false;
  const base = a.segment.split(':')[0];
  if (base === 'reflection_instruction' || base === 'instruction') return false;
  return a.block_type !== 'execution';
}

/** Whether an annotated token is a student target: the final answer message, header through end. */
export function isStudentTarget(a: TokenAnnotation, type: RecordType): boolean {
  return type === 'reflection' && a.segment.split(':')[0] === 'final_answer';
}

/** Serialises a validated record (see validateRecord) into ids + annotation + targets. */
export function encodeRecord(r: ReflectionRecord, tok: TokenizerLike): EncodedRecord {
  const ids: number[] = [tok.bos];
  const annotation: TokenAnnotation[] = [{ segment: 'bos', block: -1, block_type: null }];
  const segs = messageSegments(
    r.type,
    r.messages.map((m) => m.role),
  );
  const eom = tok.special(END_OF_MESSAGE);
  const eob = tok.special(END_OF_BLOCK);
  r.messages.forEach((m, mi) => {
    const seg = segs[mi]!;
    ids.push(tok.special(ROLE_TOKEN[m.role]));
    annotation.push({ segment: `${seg}:header`, block: -1, block_type: null });
    m.content.forEach((b, bi) => {
      const a: TokenAnnotation = { segment: seg, block: bi, block_type: b.type };
      const body = tok.encodeOrdinary ? tok.encodeOrdinary(b.content) : tok.encode(b.content);
      // One push per token: a spread of `body` overflows the call stack beyond ~125k tokens.
      ids.push(tok.special(BLOCK_TOKEN[b.type]));
      for (let k = 0; k < body.length; k++) ids.push(body[k]!);
      ids.push(eob);
      for (let k = 0; k < body.length + 2; k++) annotation.push(a);
    });
    ids.push(eom);
    annotation.push({ segment: `${seg}:end`, block: -1, block_type: null });
  });
  ids.push(tok.eos);
  annotation.push({ segment: 'eos', block: -1, block_type: null });
  return {
    type: r.type,
    ids,
    annotation,
    teacherTargets: annotation.map(isTeacherTarget),
    studentTargets: annotation.map((a) => isStudentTarget(a, r.type)),
  };
}

/** Encodes records; those longer than `maxLen` tokens are dropped and counted, never truncated
 *  (a truncated record would lose its final answer, the part every loss trains on). */
export function encodeRecords(
  records: readonly ReflectionRecord[],
  tok: TokenizerLike,
  maxLen: number,
): { encoded: EncodedRecord[]; dropped: number; droppedIndices: number[] } {
  const encoded: EncodedRecord[] = [];
  const droppedIndices: number[] = [];
  records.forEach((r, i) => {
    const e = encodeRecord(r, tok);
    if (e.ids.length > maxLen) droppedIndices.push(i);
    else encoded.push(e);
  });
  return { encoded, dropped: droppedIndices.length, droppedIndices };
}
