/**
 * Batching: rows are right-padded to the longest row; pad keys are invisible and pad tokens are no
 * targets. Row order is fixed so the KL term can pair rows without a gather (whose gradient fails on
 * wasm): [teacher rows (R)] [student rows (R), same record order] [generation rows (G)].
 */
import * as tf from '@tensorflow/tfjs';
import { ShapeError } from '../errors.ts';
import type { TrainRow } from '../distill/rows.ts';

/** Plain data (transferable to/from a worker). All [B, T] arrays are row-major. */
export interface HostBatch {
  batchSize: number; // B = 2R + G
  seqLen: number; // T
  nPairs: number; // R
  nGeneration: number; // G
  inputIds: Int32Array; // [B, T]
  positions: Int32Array; // [B, T]
  keyVisible: Float32Array; // [B, T] 1 visible
  /** CE_teacher targets: teacher rows and generation rows. [B, T] */
  teacherMask: Float32Array;
  /** CE_student targets: student rows. [B, T] */
  studentMask: Float32Array;
  /** [R, T]: 1 at position i-1 for every student target i — where the KL term is taken. */
  klMask: Float32Array;
  counts: { teacher: number; student: number; kl: number; tokens: number };
}

export interface DistillBatch {
  nPairs: number;
  inputIds: tf.Tensor2D; // int32 [B, T]
  positions: tf.Tensor2D; // int32 [B, T]
  keyVisible: tf.Tensor2D; // float32 [B, T]
  teacherMask: tf.Tensor2D; // float32 [B, T]
  studentMask: tf.Tensor2D; // float32 [B, T]
  klMask: tf.Tensor2D | null; // float32 [R, T]; null when R = 0
  counts: HostBatch['counts'];
}

/**
 * Builds a padded batch. `pairs` are (teacher, student) rows of the same record; `others` are
 * generation rows. `padId` fills the padding (it is never attended to nor predicted).
 */
export function makeHostBatch(pairs: { teacher: TrainRow; student: TrainRow }[], others: TrainRow[], padId: number): HostBatch {
  const rows: TrainRow[] = [...pairs.map((p) => p.teacher), ...pairs.map((p) => p.student), ...others];
  if (rows.length === 0) throw new ShapeError('a batch needs at least one row, found none');
  for (const p of pairs) {
    if (p.teacher.ids.length !== p.student.ids.length || p.teacher.ids.some((id, i) => id !== p.student.ids[i])) {
      throw new ShapeError('teacher and student rows of a pair must hold the same tokens');
    }
  }
  const R = pairs.length;
  if (pairs.some((p) => p.teacher.kind !== 'teacher' || p.student.kind !== 'student') || others.some((r) => r.kind !== 'generation')) {
    throw new ShapeError('pairs must be (teacher, student) rows and the other rows generation rows');
  }
  const B = rows.length;
  const T = Math.max(...rows.map((r) => r.ids.length));
  const inputIds = new Int32Array(B * T).fill(padId);
  const positions = new Int32Array(B * T);
  const keyVisible = new Float32Array(B * T);
  const teacherMask = new Float32Array(B * T);
  const studentMask = new Float32Array(B * T);
  const klMask = new Float32Array(R * T);
  const counts = { teacher: 0, student: 0, kl: 0, tokens: 0 };
  rows.forEach((row, b) => {
    const n = row.ids.length;
    if (row.positions.length !== n || row.keyVisible.length !== n || row.targets.length !== n) {
      throw new ShapeError(`row ${b}: ids, positions, keyVisible and targets must have equal lengths`);
    }
    counts.tokens += n;
    for (let t = 0; t < T; t++) {
      const o = b * T + t;
      if (t >= n) {
        positions[o] = t; // pad: position continues, key hidden, no target
        continue;
      }
      inputIds[o] = row.ids[t]!;
      positions[o] = row.positions[t]!;
      keyVisible[o] = row.keyVisible[t] ? 1 : 0;
      // Token 0 has no prediction; it can never be a target.
      const isTarget = t > 0 && row.targets[t]!;
      if (!isTarget) continue;
      if (row.kind === 'student') {
        studentMask[o] = 1;
        klMask[(b - R) * T + t - 1] = 1;
        counts.student++;
        counts.kl++;
      } else {
        teacherMask[o] = 1;
        counts.teacher++;
      }
    }
  });
  return { batchSize: B, seqLen: T, nPairs: R, nGeneration: others.length, inputIds, positions, keyVisible, teacherMask, studentMask, klMask, counts };
}

/** Uploads a host batch. Dispose with disposeBatch. */
export function batchToTensors(h: HostBatch): DistillBatch {
  const s: [number, number] = [h.batchSize, h.seqLen];
  return {
    nPairs: h.nPairs,
    inputIds: tf.tensor2d(h.inputIds, s, 'int32'),
    positions: tf.tensor2d(h.positions, s, 'int32'),
    keyVisible: tf.tensor2d(h.keyVisible, s, 'float32'),
    teacherMask: tf.tensor2d(h.teacherMask, s, 'float32'),
    studentMask: tf.tensor2d(h.studentMask, s, 'float32'),
    klMask: h.nPairs > 0 ? tf.tensor2d(h.klMask, [h.nPairs, h.seqLen], 'float32') : null,
    counts: h.counts,
  };
}

export function disposeBatch(b: DistillBatch): void {
  tf.dispose([b.inputIds, b.positions, b.keyVisible, b.teacherMask, b.studentMask]);
  if (b.klMask) b.klMask.dispose();
}
