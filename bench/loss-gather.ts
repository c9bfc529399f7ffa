/**
 * "Logits only where the loss needs them": the official distillation loss + gradients computed
 *  (a) as the trainer does now — hidden states gathered at the head plan's positions, head on those rows;
 *  (b) as before — the head on every position ([B·T, V] logits), the same loss read through masks.
 * Same model, same batch, same run, alternating (a)/(b). Two shapes:
 *  - smoke (wasm): the smoke preset on a micro-batch of the built-in demo data (its BPE tokenizer, vocab 1024);
 *  - pretrained vocabulary (cpu): vocab 151,936, dim 896 (Qwen2-0.5B's head), the output head and loss alone
 *    on one ~54-token reflection record (teacher + student rows), one timed run per path (each takes a
 *    minute or more here).
 * Reports median ms per loss+gradient evaluation, tfjs's peak bytes (tf.profile), the head rows, and
 * |loss(a) − loss(b)|. `npm run bench -- loss-gather`; numbers only, no assertions.
 */
import * as tf from '@tensorflow/tfjs';
import { detach, reflectionDistillLoss } from '../src/core/distill/loss.ts';
import { demoRecords } from '../src/core/data/demo-records.ts';
import { LlamaModel } from '../src/core/model/llama.ts';
import { oneHotFloat } from '../src/core/model/ops.ts';
import { encodeRecord, type TokenizerLike } from '../src/core/records/serialize.ts';
import { validateRecord } from '../src/core/records/schema.ts';
import { Rng } from '../src/core/rng.ts';
import { SPECIAL_TOKENS } from '../src/core/tokenizer/bpe.ts';
import { batchToTensors, disposeBatch, type DistillBatch, type HostBatch } from '../src/core/train/batch.ts';
import { buildStepBatch } from '../src/core/train/recipe.ts';
import { selectNodeBackend } from '../src/platform/node/backend.ts';
import { defaultRunConfig, validateRunConfig } from '../src/core/train/run-config.ts';
import { TrainingRun } from '../src/services/trainer/run.ts';
import { median } from './timing.ts';

/** The official loss from full [B, T, V] logits (the pre-gather path), for comparison. */
function fullLogitsLoss(model: LlamaModel, b: DistillBatch): tf.Scalar {
  const logits = model.forward(b.inputIds, { positions: b.positions, keyVisible: b.keyVisible }); // [B, T, V]
  const [B, T, V] = logits.shape;
  const logp = tf.logSoftmax(tf.slice(logits, [0, 0, 0], [B, T - 1, V])); // predictions of tokens 1..T-1
  const targets = tf.slice(b.inputIds, [0, 1], [B, T - 1]);
  const nll = tf.neg(
    tf.sum(tf.mul(logp, oneHotFloat(tf.reshape(targets, [-1]) as tf.Tensor1D, V).reshape([B, T - 1, V])), -1),
  ); // [B, T-1]
  const w = tf.slice(tf.add(b.teacherMask, b.studentMask), [0, 1], [B, T - 1]);
  const ce = tf.div(tf.sum(tf.mul(nll, w)), Math.max(b.counts.teacher + b.counts.student, 1));
  const R = b.nPairs;
  if (R === 0 || !b.klMask) return ce as tf.Scalar;
  const all = tf.logSoftmax(logits);
  const logPt = detach(tf.slice(all, [0, 0, 0], [R, T, V]));
  const logPs = tf.slice(all, [R, 0, 0], [R, T, V]);
  const perPos = tf.sum(tf.mul(tf.exp(logPt), tf.sub(logPt, logPs)), -1); // [R, T]
  const kl = tf.div(tf.sum(tf.mul(perPos, b.klMask)), Math.max(b.counts.kl, 1));
  return tf.add(ce, kl) as tf.Scalar;
}

async function measure(model: LlamaModel, host: HostBatch, reps: number, warmup = true) {
  const batch = batchToTensors(host);
  const vars = [...model.params.values()];
  const once = async (gathered: boolean) => {
    let loss = 0;
    const t0 = performance.now();
    const prof = await tf.profile(async () => {
      const { value, grads } = tf.variableGrads(
        () => (gathered ? reflectionDistillLoss(model, batch).total : fullLogitsLoss(model, batch)),
        vars,
      );
      loss = (await value.data())[0]!;
      await Promise.all(Object.values(grads).map((g) => g.data()));
      tf.dispose([value, ...Object.values(grads)]);
    });
    return { ms: performance.now() - t0, peak: prof.peakBytes, loss };
  };
  try {
    if (warmup) {
      await once(true); // kernels, wasm heap growth
      await once(false);
    }
    const a: Awaited<ReturnType<typeof once>>[] = [];
    const b: Awaited<ReturnType<typeof once>>[] = [];
    for (let i = 0; i < reps; i++) {
      a.push(await once(true));
      b.push(await once(false));
    }
    const ga = median(a.map((x) => x.ms));
    const gb = median(b.map((x) => x.ms));
    return {
      rows: host.batchSize,
      seqLen: host.seqLen,
      headRows: { gathered: host.head.rows.length, full: host.batchSize * host.seqLen },
      msMedian: { gathered: +ga.toFixed(1), full: +gb.toFixed(1), speedup: +(gb / ga).toFixed(2) },
      peakMB: {
        gathered: +(a[0]!.peak / 2 ** 20).toFixed(1),
        full: +(b[0]!.peak / 2 ** 20).toFixed(1),
        ratio: +(b[0]!.peak / a[0]!.peak).toFixed(2),
      },
      lossAbsDiff: Math.abs(a[0]!.loss - b[0]!.loss),
    };
  } finally {
    disposeBatch(batch);
  }
}

async function smoke() {
  const config = validateRunConfig({
    ...defaultRunConfig('smoke'),
    train: { ...defaultRunConfig('smoke').train, maxSteps: 10, seed: 1 },
  });
  const run = await TrainingRun.create({ config, records: demoRecords(), datasets: [], name: 'bench' });
  try {
    const host = buildStepBatch(run.encoded, run.sampler.next(), config.train, 4, 10, run.tokenizer.pad);
    return {
      shape: `smoke preset (vocab ${run.model.config.vocabSize}, dim ${run.model.config.dim}), batch of ${config.train.batchSize} demo records`,
      ...(await measure(run.model, host, 5)),
    };
  } finally {
    run.dispose();
  }
}

/** A ~54-token reflection record with random ids: instruction, code → execution → analysis → code, re-answer, final answer. */
function syntheticRecord(vocab: number) {
  const specials: readonly string[] = SPECIAL_TOKENS;
  const rng = new Rng(5);
  const tok: TokenizerLike = {
    bos: vocab - 10,
    eos: vocab - 9,
    encode: (t) => Array.from({ length: Number(t) }, () => rng.int(vocab - 16)),
    special: (n) => vocab - 8 + specials.indexOf(n),
  };
  const msg = (role: string, blocks: [string, number][]) => ({
    role,
    content: blocks.map(([type, n]) => ({ type, content: String(n) })),
  });
  const record = validateRecord({
    type: 'reflection',
    messages: [
      msg('user', [['text', 6]]),
      msg('assistant', [
        ['code', 6],
        ['execution', 2],
        ['text', 4],
        ['code', 6],
      ]),
      msg('user', [['text', 3]]),
      msg('assistant', [['text', 6]]),
    ],
  });
  return encodeRecord(record, tok);
}

/**
 * The output head and the loss alone, at a pretrained vocabulary: hidden states [B·T, D] and the head
 * [D, V] as variables (the transformer body is the same for both paths, and a whole model of this
 * vocabulary does not train on this machine's wasm backend: its embedding gradient exhausts the heap).
 */
async function pretrainedVocab() {
  const V = 151936;
  const D = 896;
  const enc = syntheticRecord(V);
  const cfg = validateRunConfig({ preset: 'smoke' }).train;
  const host = buildStepBatch([enc], [0], cfg, 4, 10, 0);
  const W = tf.variable(tf.tidy(() => tf.randomNormal([D, V], 0, 0.02, 'float32', 1)));
  const H = tf.variable(tf.tidy(() => tf.randomNormal([host.batchSize * host.seqLen, D], 0, 1, 'float32', 2)));
  const headOnly = {
    params: new Map([
      ['head', W],
      ['hidden', H],
    ]),
    forwardHidden: () => H,
    head: (x: tf.Tensor2D) => tf.matMul(x, W),
    forward: () => tf.reshape(tf.matMul(H, W), [host.batchSize, host.seqLen, V]),
  } as unknown as LlamaModel;
  try {
    return {
      shape: `head + loss only: vocab ${V}, dim ${D}, one reflection record (teacher + student rows)`,
      ...(await measure(headOnly, host, 1, false)),
    };
  } finally {
    tf.dispose([W, H]);
  }
}

export async function run(): Promise<object> {
  await selectNodeBackend('wasm');
  const s = await smoke();
  console.error(`loss-gather smoke (wasm): ${JSON.stringify(s)}`);
  // cpu: tfjs-wasm 4.22 corrupts its heap past 2 GB, which the full-logits path at this vocabulary exceeds.
  await selectNodeBackend('cpu');
  const p = await pretrainedVocab();
  console.error(`loss-gather pretrained vocab (cpu): ${JSON.stringify(p)}`);
  return { smoke: { backend: 'wasm', ...s }, pretrainedVocab: { backend: 'cpu', ...p } };
}
