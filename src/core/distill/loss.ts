/**
 * Reflection self-distillation loss (docs/METHOD.md §3), one forward pass over the whole batch.
 * Batch layout (train/batch.ts): [teacher rows R][student rows R][generation rows G]. The hidden
 * states of the positions a loss reads (the batch's head plan) are gathered BEFORE the output head,
 * so the [T, V] logits of every other position are never computed.
 *
 * `official` (default) — SenseLLM/ReflectionCoder src/utils/trainer.py compute_loss (lines 243–275):
 *   ce    = ONE next-token cross-entropy averaged over every target of the teacher, student and
 *           generation rows together (Hugging Face's causal-LM loss on the concatenated batch);
 *   kl    = kl_div(log_softmax(student), softmax(teacher).detach(), 'batchmean'): the mean over the
 *           UNSHIFTED positions t where the distillation labels are set (student targets t);
 *   total = ce + kl. Weights: ce = (wT·Σ nll_teacher + wS·Σ nll_student) / (nT + nS), total = ce + wKL·kl
 *           (official: all 1).
 * `per-term` — this project's earlier objective:
 *   total = wT·CE_teacher + wS·CE_student + wKL·KL, each a token mean over its own targets, the KL at
 *   the positions that predict the student targets.
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError, ShapeError } from '../errors.ts';
import type { LlamaModel } from '../model/llama.ts';
import type { DistillBatch } from '../train/batch.ts';
import type { TargetSlot } from '../train/exchange.ts';
import { gatherRows } from './gather.ts';
import { logSoftmax } from '../model/ops.ts';

export interface LossWeights {
  teacher: number;
  student: number;
  kl: number;
}
export const DEFAULT_LOSS_WEIGHTS: LossWeights = { teacher: 1, student: 1, kl: 1 };

export interface DistillLosses {
  total: tf.Scalar;
  /** Official: the pooled CE. Per-term: wT·CE_teacher + wS·CE_student. */
  ce: tf.Scalar;
  /** Token means of each row kind's CE (diagnostics under `official`, the terms under `per-term`). */
  ceTeacher: tf.Scalar;
  ceStudent: tf.Scalar;
  kl: tf.Scalar;
}

/** Identity whose gradient is zero: the teacher distribution inside the KL term (tfjs 4.22 has no stopGradient). */
export const detach = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => ({
  value: tf.clone(inputs[0] as tf.Tensor),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
})) as unknown as <T extends tf.Tensor>(x: T) => T;

/** KL(p_t ‖ p_s) summed over positions: Σ_rows Σ_v p_t (log p_t − log p_s), teacher detached. [K, V] inputs. */
function klSum(logPtRaw: tf.Tensor2D, logPs: tf.Tensor2D): tf.Scalar {
  const logPt = detach(logPtRaw);
  return tf.sum(tf.mul(tf.exp(logPt), tf.sub(logPt, logPs)));
}

export function validateLossWeights(w: LossWeights): LossWeights {
  for (const k of ['teacher', 'student', 'kl'] as const) {
    if (!Number.isFinite(w[k]) || w[k] < 0)
      throw new ConfigError(`loss weight ${k} must be a finite number >= 0, found ${w[k]}`);
  }
  return w;
}

const safeDiv = (num: tf.Scalar, n: number): tf.Scalar => tf.div(num, Math.max(n, 1));

/**
 * The KL target of a batch whose teachers are outside it (DistillBatch.teacherOutside): the teachers'
 * log-probabilities at the KL positions, [K, V], from a forward without gradients (call outside the
 * gradient tape, inside tf.tidy). The teacher is detached in the KL term, so nothing is lost.
 */
export function outsideTeacherLogProbs(model: LlamaModel, batch: DistillBatch): tf.Tensor2D {
  const t = batch.teacherOutside;
  if (!t) throw new ShapeError('this batch has its teachers inside');
  const hidden = model.forwardHidden(t.inputIds, { positions: t.positions, keyVisible: t.keyVisible }); // [R·T, D]
  const rows = tf.slice(batch.headRows, [0], [batch.nKl]) as tf.Tensor1D; // student row r, t = teacher row r, t
  return logSoftmax(model.head(gatherRows(hidden, rows)));
}

/**
 * Call inside tf.variableGrads (or tf.tidy): returns scalars; intermediate tensors are freed by the caller's
 * scope. `outsideTeacher`: the KL target of a batch whose teachers are outside it (outsideTeacherLogProbs,
 * or a function asked for it after this batch's forward pass: the exchange of split pairs, exchange.ts).
 * `publish`: given the log-probabilities [k, V] of each split pair's teacher row in this batch
 * (batch.publish), as soon as the forward pass has them.
 */
export function reflectionDistillLoss(
  model: LlamaModel,
  batch: DistillBatch,
  weights: LossWeights = DEFAULT_LOSS_WEIGHTS,
  outsideTeacher?: tf.Tensor2D | (() => tf.Tensor2D),
  publish?: (slot: TargetSlot, logProbs: tf.Tensor2D) => void,
): DistillLosses {
  if (!!batch.teacherOutside !== !!outsideTeacher)
    throw new ShapeError('a batch with its teachers outside needs their log-probabilities, and only such a batch');
  const hidden = model.forwardHidden(batch.inputIds, { positions: batch.positions, keyVisible: batch.keyVisible }); // [B·T, D]
  const M = batch.headRows.shape[0];
  // Denominators: this batch's counts, or its micro-batch's when it is a data-parallel shard (batch.ts).
  const nT = batch.norm.teacher;
  const nS = batch.norm.student;
  const K = batch.nKl;
  if (M === 0) {
    // Nothing is predicted (cannot happen with real records); keep the graph connected for variableGrads.
    const zero = tf.mul(tf.sum(hidden), 0) as tf.Scalar;
    return { total: zero, ce: zero, ceTeacher: zero, ceStudent: zero, kl: zero };
  }
  const logits = model.head(gatherRows(hidden, batch.headRows)); // [M, V]
  const V = logits.shape[1];
  const logp = logSoftmax(logits); // [M, V] (ops.ts: through the Softmax kernel)
  if (publish) for (const p of batch.publish) publish(p.slot, tf.gather(logp, tf.tensor1d(p.headRows, 'int32')));
  // −log p(label) per position: a gather of M entries from the flattened [M·V] log-probabilities.
  const flat = tf.add(tf.mul(tf.range(0, M, 1, 'int32'), tf.scalar(V, 'int32')), batch.headLabels) as tf.Tensor1D;
  const nll = tf.neg(tf.reshape(gatherRows(tf.reshape(logp, [M * V, 1]), flat), [M])); // [M]
  const sumT = tf.sum(tf.mul(nll, batch.teacherW)) as tf.Scalar;
  const sumS = tf.sum(tf.mul(nll, batch.studentW)) as tf.Scalar;
  const ceTeacher = safeDiv(sumT, nT);
  const ceStudent = safeDiv(sumS, nS);
  let kl: tf.Scalar;
  if (K > 0 && outsideTeacher) {
    const logPs = tf.slice(logp, [0, 0], [K, V]) as tf.Tensor2D; // the head plan puts the student KL rows first
    const target = typeof outsideTeacher === 'function' ? outsideTeacher() : outsideTeacher;
    kl = safeDiv(klSum(target, logPs), batch.norm.kl);
  } else if (K > 0) {
    const logPt = tf.slice(logp, [0, 0], [K, V]) as tf.Tensor2D;
    const logPs = tf.slice(logp, [K, 0], [K, V]) as tf.Tensor2D;
    kl = safeDiv(klSum(logPt, logPs), batch.norm.kl);
  } else {
    kl = tf.scalar(0);
  }
  let ce: tf.Scalar;
  if (batch.objective === 'official') {
    ce = safeDiv(tf.add(tf.mul(sumT, weights.teacher), tf.mul(sumS, weights.student)) as tf.Scalar, nT + nS);
  } else {
    ce = tf.add(tf.mul(ceTeacher, weights.teacher), tf.mul(ceStudent, weights.student)) as tf.Scalar;
  }
  const total = tf.add(ce, tf.mul(kl, weights.kl)) as tf.Scalar;
  return { total, ce, ceTeacher, ceStudent, kl };
}
