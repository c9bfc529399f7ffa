/**
 * Reflection self-distillation loss (METHOD.md §3), one forward pass over the whole batch:
 *   total = wT·CE_teacher + wS·CE_student + wKL·KL(p_teacher ‖ p_student)
 * Batch layout (train/batch.ts): [teacher rows R][student rows R][generation rows G].
 * Means are pooled over the batch (decided, documented in TRAIN-CORE-API.md):
 *  - CE_teacher: token mean over every teacher-target token of the teacher AND generation rows;
 *  - CE_student: token mean over every student-target token of the student rows;
 *  - KL: token mean over every position i-1 that predicts a student target i, teacher detached.
 * With one record this is exactly the fixture's definition (reflection-loss.json).
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '../errors.ts';
import type { LlamaModel } from '../model/llama.ts';
import { nextTokenCrossEntropy } from '../model/loss.ts';
import type { DistillBatch } from '../train/batch.ts';

export interface LossWeights {
  teacher: number;
  student: number;
  kl: number;
}
export const DEFAULT_LOSS_WEIGHTS: LossWeights = { teacher: 1, student: 1, kl: 1 };

export interface DistillLosses {
  total: tf.Scalar;
  ceTeacher: tf.Scalar;
  ceStudent: tf.Scalar;
  kl: tf.Scalar;
}

/** Identity whose gradient is zero: the teacher distribution inside the KL term (tfjs 4.22 has no stopGradient). */
export const detach = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => ({
  value: tf.clone(inputs[0] as tf.Tensor),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
})) as unknown as <T extends tf.Tensor>(x: T) => T;

/**
 * KL(p_t ‖ p_s) per position = Σ_v p_t (log p_t − log p_s), token mean over klMask.
 * teacherLogits / studentLogits [R, T, V], klMask [R, T].
 */
export function maskedKl(teacherLogits: tf.Tensor3D, studentLogits: tf.Tensor3D, klMask: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const logPt = detach(tf.logSoftmax(teacherLogits)); // [R, T, V]
    const logPs = tf.logSoftmax(studentLogits); // [R, T, V]
    const perPos = tf.sum(tf.mul(tf.exp(logPt), tf.sub(logPt, logPs)), -1); // [R, T]
    return tf.div(tf.sum(tf.mul(perPos, klMask)), tf.maximum(tf.sum(klMask), 1)) as tf.Scalar;
  });
}

export function validateLossWeights(w: LossWeights): LossWeights {
  for (const k of ['teacher', 'student', 'kl'] as const) {
    if (!Number.isFinite(w[k]) || w[k] < 0) throw new ConfigError(`loss weight ${k} must be a finite number >= 0, found ${w[k]}`);
  }
  return w;
}

/** Call inside tf.variableGrads (or tf.tidy): returns scalars; intermediate tensors are freed by the caller's scope. */
export function reflectionDistillLoss(model: LlamaModel, batch: DistillBatch, weights: LossWeights = DEFAULT_LOSS_WEIGHTS): DistillLosses {
  const logits = model.forward(batch.inputIds, { positions: batch.positions, keyVisible: batch.keyVisible }); // [B, T, V]
  const ceTeacher = nextTokenCrossEntropy(logits, batch.inputIds, batch.teacherMask);
  const R = batch.nPairs;
  let ceStudent: tf.Scalar;
  let kl: tf.Scalar;
  if (R > 0 && batch.klMask) {
    ceStudent = nextTokenCrossEntropy(logits, batch.inputIds, batch.studentMask);
    const [, t, v] = logits.shape;
    const teacherLogits = tf.slice(logits, [0, 0, 0], [R, t, v]); // [R, T, V]
    const studentLogits = tf.slice(logits, [R, 0, 0], [R, t, v]); // [R, T, V]
    kl = maskedKl(teacherLogits, studentLogits, batch.klMask);
  } else {
    ceStudent = tf.scalar(0);
    kl = tf.scalar(0);
  }
  const total = tf.addN([
    tf.mul(ceTeacher, weights.teacher),
    tf.mul(ceStudent, weights.student),
    tf.mul(kl, weights.kl),
  ]) as tf.Scalar;
  return { total, ceTeacher, ceStudent, kl };
}
