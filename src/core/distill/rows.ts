/**
 * Host-side rows of a training batch (docs/METHOD.md §3). A teacher row is the whole record with
 * ordinary causal attention; a student row has the same tokens and the same positions (RoPE keeps
 * relative distances, so the hidden gaps are harmless) but hides some keys; a generation row is a
 * plain instruction record trained with next-token loss only.
 */
import type { EncodedRecord } from '../records/serialize.ts';

export type RowKind = 'teacher' | 'student' | 'generation';

export interface TrainRow {
  kind: RowKind;
  ids: number[];
  /** RoPE positions, 0..T-1 in every row (the student keeps the teacher's positions). */
  positions: number[];
  /** key k visible to every query (causality is applied by the model). */
  keyVisible: boolean[];
  /** token i is a target (predicted from position i-1). */
  targets: boolean[];
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

export function teacherRow(enc: EncodedRecord): TrainRow {
  return {
    kind: 'teacher',
    ids: enc.ids,
    positions: range(enc.ids.length),
    keyVisible: enc.ids.map(() => true),
    targets: enc.teacherTargets,
  };
}

export function studentRow(enc: EncodedRecord, visible: boolean[]): TrainRow {
  if (visible.length !== enc.ids.length) {
    throw new RangeError(`student visibility has ${visible.length} entries, the record has ${enc.ids.length} tokens`);
  }
  return {
    kind: 'student',
    ids: enc.ids,
    positions: range(enc.ids.length),
    keyVisible: visible,
    targets: enc.studentTargets,
  };
}

/** A generation record, or a reflection record trained without distillation: next-token loss on its teacher targets. */
export function generationRow(enc: EncodedRecord): TrainRow {
  return { ...teacherRow(enc), kind: 'generation' };
}
