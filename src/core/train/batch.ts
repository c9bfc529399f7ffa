/**
 * Batching: rows are right-padded to the longest row; pad keys are invisible and pad tokens are no
 * targets. Row order: [teacher rows (R)] [student rows (R), same record order] [generation rows (G)].
 * The host batch also carries the gather plan (`head`): the flattened [B·T] positions whose logits a
 * loss reads — every position that predicts a target, and the KL positions of teacher and student
 * rows — so the output head runs on those rows only (docs/METHOD.md §3, "logits only where needed").
 */
import * as tf from '@tensorflow/tfjs';
import { ShapeError } from '../errors.ts';
import type { TrainRow } from '../distill/rows.ts';
import type { Objective } from './config.ts';
import type { TargetSlot } from './exchange.ts';

/** Positions (of the flattened [B·T] hidden states) that go through the output head. */
export interface HeadPlan {
  /**
   * [M] flat positions b·T + t. The first K are teacher KL positions, the next K the matching student ones;
   * in a batch whose teachers are outside (HostBatch.teacherOutside), the first K are the student ones.
   */
  rows: Int32Array;
  /** K: KL pairs (rows[k] of a teacher row pairs with rows[K + k] of its student row). */
  nKl: number;
  /** [M] the token the position predicts (ids[t + 1]); 0 where it predicts no target. */
  labels: Int32Array;
  /** [M] 1 where the position predicts a teacher-loss target (teacher and generation rows). */
  teacherW: Float32Array;
  /** [M] 1 where the position predicts a student target. */
  studentW: Float32Array;
}

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
  /** [R, T]: 1 where the KL term is taken — per-term: position i-1 for every student target i;
   *  official: position i of every student target i (the unshifted distillation labels). */
  klMask: Float32Array;
  objective: Objective;
  head: HeadPlan;
  counts: { teacher: number; student: number; kl: number; tokens: number };
  /**
   * The losses' denominators. Absent: this batch's own counts. When the batch is one shard of a
   * micro-batch (core/train/shard.ts: data parallelism), the whole micro-batch's counts, so the
   * shards' losses and gradients add up to the micro-batch's exactly.
   */
  norm?: LossNorm;
  /**
   * A batch of student rows whose teacher rows are not in it (a pair split over two instances, shard.ts):
   * the teachers' ids, positions and visibility, [nPairs, T], run forward without gradients for the KL
   * target (the teacher is detached in the KL term, so its gradient comes only from its CE, computed as a
   * row of another batch). Absent: teachers and students are both rows of the batch.
   */
  teacherOutside?: { inputIds: Int32Array; positions: Int32Array; keyVisible: Float32Array };
  /**
   * With teachers outside: where each pair's teacher log-probabilities arrive in the shared exchange
   * (exchange.ts), in pair order, when the instances share memory. Absent: computed here (teacherOutside).
   */
  teacherSlots?: TargetSlot[];
  /**
   * Split pairs whose teacher row is in this batch (as a generation row): the head-plan indices of that
   * row's KL positions (in the student's order), whose log-probabilities go to `slot` of the exchange.
   */
  publish?: { slot: TargetSlot; headRows: Int32Array }[];
}

/** A split pair's teacher row in this batch: `others[row]`, publishing the log-probs `student`'s KL term needs. */
export interface PublishRow {
  row: number;
  student: TrainRow;
  slot: TargetSlot;
}

/** Denominators of the token means: CE teacher targets, CE student targets, KL positions. */
export interface LossNorm {
  teacher: number;
  student: number;
  kl: number;
}

export interface DistillBatch {
  nPairs: number;
  inputIds: tf.Tensor2D; // int32 [B, T]
  positions: tf.Tensor2D; // int32 [B, T]
  keyVisible: tf.Tensor2D; // float32 [B, T]
  teacherMask: tf.Tensor2D; // float32 [B, T]
  studentMask: tf.Tensor2D; // float32 [B, T]
  klMask: tf.Tensor2D | null; // float32 [R, T]; null when R = 0
  objective: Objective;
  headRows: tf.Tensor1D; // int32 [M]
  headLabels: tf.Tensor1D; // int32 [M]
  teacherW: tf.Tensor1D; // float32 [M]
  studentW: tf.Tensor1D; // float32 [M]
  nKl: number;
  counts: HostBatch['counts'];
  norm: LossNorm;
  /** HostBatch.teacherOutside as tensors ([R, T] each), or null. */
  teacherOutside: { inputIds: tf.Tensor2D; positions: tf.Tensor2D; keyVisible: tf.Tensor2D } | null;
  /** HostBatch.publish (host data: the loss hands these rows of its log-probabilities to the exchange). */
  publish: { slot: TargetSlot; headRows: Int32Array }[];
}

/** Flattened [B·T] positions → head-plan slots: KL pairs first, then every other position that predicts a target. */
function headPlan(
  B: number,
  T: number,
  R: number,
  inputIds: Int32Array,
  teacherMask: Float32Array,
  studentMask: Float32Array,
  klMask: Float32Array,
  teacherOutside: boolean,
  /** More flat positions the head must compute (split pairs' teacher KL positions, for the exchange). */
  extra: readonly number[] = [],
): { plan: HeadPlan; slot: Map<number, number> } {
  const slot = new Map<number, number>();
  const rows: number[] = [];
  const add = (flat: number): void => {
    if (!slot.has(flat)) {
      slot.set(flat, rows.length);
      rows.push(flat);
    }
  };
  const klPos: number[] = [];
  for (let r = 0; r < R; r++) for (let t = 0; t < T; t++) if (klMask[r * T + t]) klPos.push(r * T + t);
  if (teacherOutside) {
    for (const p of klPos) add(p); // student row r (its teacher's log-probs come with the batch: teacherOutside)
  } else {
    for (const p of klPos) add(p); // teacher row r = r, same t
    for (const p of klPos) add(R * T + p); // student row R + r
  }
  for (let b = 0; b < B; b++) {
    for (let t = 0; t + 1 < T; t++) {
      const next = b * T + t + 1;
      if (teacherMask[next] || studentMask[next]) add(b * T + t);
    }
  }
  for (const p of extra) add(p);
  const M = rows.length;
  const labels = new Int32Array(M);
  const teacherW = new Float32Array(M);
  const studentW = new Float32Array(M);
  rows.forEach((flat, m) => {
    if ((flat + 1) % T === 0) return; // last position of a row predicts nothing
    const next = flat + 1;
    if (teacherMask[next]) teacherW[m] = 1;
    if (studentMask[next]) studentW[m] = 1;
    if (teacherW[m] || studentW[m]) labels[m] = inputIds[next]!;
  });
  return { plan: { rows: Int32Array.from(rows), nKl: klPos.length, labels, teacherW, studentW }, slot };
}

/**
 * Builds a padded batch. `pairs` are (teacher, student) rows of the same record; `others` are
 * generation rows. `padId` fills the padding (it is never attended to nor predicted).
 */
export function makeHostBatch(
  pairs: { teacher: TrainRow; student: TrainRow }[],
  others: TrainRow[],
  padId: number,
  objective: Objective = 'official',
  /** The pairs' teacher rows stay outside the batch (HostBatch.teacherOutside); no other rows then. */
  teacherOutside = false,
  /** Shared-memory exchange of split pairs (exchange.ts): slots of the teachers outside, rows that publish. */
  exchange: { teacherSlots?: TargetSlot[]; publish?: PublishRow[] } = {},
): HostBatch {
  if (teacherOutside && (others.length > 0 || pairs.length === 0))
    throw new ShapeError('a batch with its teachers outside holds pairs only, found none or other rows');
  const rows: TrainRow[] = [
    ...(teacherOutside ? [] : pairs.map((p) => p.teacher)),
    ...pairs.map((p) => p.student),
    ...others,
  ];
  if (rows.length === 0) throw new ShapeError('a batch needs at least one row, found none');
  for (const p of pairs) {
    if (p.teacher.ids.length !== p.student.ids.length || p.teacher.ids.some((id, i) => id !== p.student.ids[i])) {
      throw new ShapeError('teacher and student rows of a pair must hold the same tokens');
    }
  }
  const R = pairs.length;
  const firstStudent = teacherOutside ? 0 : R; // row index of the first student row
  if (
    pairs.some((p) => p.teacher.kind !== 'teacher' || p.student.kind !== 'student') ||
    others.some((r) => r.kind !== 'generation')
  ) {
    throw new ShapeError('pairs must be (teacher, student) rows and the other rows generation rows');
  }
  const B = rows.length;
  const T = rows.reduce((m, r) => Math.max(m, r.ids.length), 0);
  rows.forEach((row, b) => {
    const n = row.ids.length;
    if (row.positions.length !== n || row.keyVisible.length !== n || row.targets.length !== n) {
      throw new ShapeError(`row ${b}: ids, positions, keyVisible and targets must have equal lengths`);
    }
  });
  const { inputIds, positions, keyVisible } = padRows(rows, T, padId);
  const teacherMask = new Float32Array(B * T);
  const studentMask = new Float32Array(B * T);
  const klMask = new Float32Array(R * T);
  const counts = { teacher: 0, student: 0, kl: 0, tokens: 0 };
  rows.forEach((row, b) => {
    const n = row.ids.length;
    counts.tokens += n;
    for (let t = 0; t < n; t++) {
      const o = b * T + t;
      // Token 0 has no prediction; it can never be a target. Padding (t ≥ n) is never a target.
      const isTarget = t > 0 && row.targets[t]!;
      if (!isTarget) continue;
      if (row.kind === 'student') {
        studentMask[o] = 1;
        klMask[(b - firstStudent) * T + klPosition(t, objective)] = 1;
        counts.student++;
        counts.kl++;
      } else {
        teacherMask[o] = 1;
        counts.teacher++;
      }
    }
  });
  const publish = exchange.publish ?? [];
  if (exchange.teacherSlots && (!teacherOutside || exchange.teacherSlots.length !== R))
    throw new ShapeError(
      `teacher slots: one per pair of a batch with its teachers outside, found ${exchange.teacherSlots.length}`,
    );
  // A split pair's teacher row (a generation row here) publishes its log-probs at its student's KL positions.
  const publishAt = publish.map((p) => {
    const teacher = others[p.row];
    if (!teacher || teacher.ids.length !== p.student.ids.length || teacher.ids.some((id, i) => id !== p.student.ids[i]))
      throw new ShapeError(`publishing row ${p.row} is not its student's teacher row`);
    const b = 2 * R + p.row; // after the teacher and student rows (a batch with its teachers outside has no others)
    const at = klPositions(p.student, objective).map((t) => b * T + t);
    if (at.length !== p.slot.k)
      throw new ShapeError(`slot ${p.slot.slot} holds ${p.slot.k} rows, the student has ${at.length} KL positions`);
    return at;
  });
  const { plan: head, slot } = headPlan(
    B,
    T,
    R,
    inputIds,
    teacherMask,
    studentMask,
    klMask,
    teacherOutside,
    publishAt.flat(),
  );
  return {
    batchSize: B,
    seqLen: T,
    nPairs: R,
    nGeneration: others.length,
    inputIds,
    positions,
    keyVisible,
    teacherMask,
    studentMask,
    klMask,
    objective,
    head,
    counts,
    ...(teacherOutside
      ? {
          teacherOutside: padRows(
            pairs.map((p) => p.teacher),
            T,
            padId,
          ),
        }
      : {}),
    ...(exchange.teacherSlots ? { teacherSlots: exchange.teacherSlots } : {}),
    ...(publish.length
      ? {
          publish: publish.map((p, i) => ({
            slot: p.slot,
            headRows: Int32Array.from(publishAt[i]!, (f) => slot.get(f)!),
          })),
        }
      : {}),
  };
}

/** The KL position of a student target at t: t itself (official: the unshifted distillation labels) or t − 1. */
function klPosition(t: number, objective: Objective): number {
  return objective === 'official' ? t : t - 1;
}

/** A student row's KL positions, in order (one per target after the first token). */
export function klPositions(student: TrainRow, objective: Objective): number[] {
  const out: number[] = [];
  for (let t = 1; t < student.ids.length; t++) if (student.targets[t]) out.push(klPosition(t, objective));
  return out;
}

/**
 * Rows right-padded to T, [rows, T] row-major: padding has `padId`, a position that continues the row and a
 * hidden key (it is never attended to). Also the teacher rows a batch with its teachers outside runs forward.
 */
function padRows(
  rows: readonly TrainRow[],
  T: number,
  padId: number,
): { inputIds: Int32Array; positions: Int32Array; keyVisible: Float32Array } {
  const inputIds = new Int32Array(rows.length * T).fill(padId);
  const positions = new Int32Array(rows.length * T);
  const keyVisible = new Float32Array(rows.length * T);
  rows.forEach((row, b) => {
    for (let t = 0; t < T; t++) {
      const o = b * T + t;
      if (t >= row.ids.length) {
        positions[o] = t;
        continue;
      }
      inputIds[o] = row.ids[t]!;
      positions[o] = row.positions[t]!;
      keyVisible[o] = row.keyVisible[t] ? 1 : 0;
    }
  });
  return { inputIds, positions, keyVisible };
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
    objective: h.objective,
    headRows: tf.tensor1d(h.head.rows, 'int32'),
    headLabels: tf.tensor1d(h.head.labels, 'int32'),
    teacherW: tf.tensor1d(h.head.teacherW, 'float32'),
    studentW: tf.tensor1d(h.head.studentW, 'float32'),
    nKl: h.head.nKl,
    counts: h.counts,
    norm: h.norm ?? { teacher: h.counts.teacher, student: h.counts.student, kl: h.counts.kl },
    teacherOutside: h.teacherOutside
      ? {
          inputIds: tf.tensor2d(h.teacherOutside.inputIds, [h.nPairs, h.seqLen], 'int32'),
          positions: tf.tensor2d(h.teacherOutside.positions, [h.nPairs, h.seqLen], 'int32'),
          keyVisible: tf.tensor2d(h.teacherOutside.keyVisible, [h.nPairs, h.seqLen], 'float32'),
        }
      : null,
    publish: h.publish ?? [],
  };
}

export function disposeBatch(b: DistillBatch): void {
  tf.dispose([
    b.inputIds,
    b.positions,
    b.keyVisible,
    b.teacherMask,
    b.studentMask,
    b.headRows,
    b.headLabels,
    b.teacherW,
    b.studentW,
  ]);
  if (b.klMask) b.klMask.dispose();
  if (b.teacherOutside) tf.dispose(Object.values(b.teacherOutside));
}
