/** A few real optimizer steps on the demo data with a freshly trained tokenizer and a tiny model (wasm). */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoRecords } from '../../../src/core/data/demo-records.ts';
import { LlamaModel } from '../../../src/core/model/llama.ts';
import { encodeRecords } from '../../../src/core/records/serialize.ts';
import { BpeTokenizer } from '../../../src/core/tokenizer/bpe.ts';
import { AdamW } from '../../../src/core/train/adamw.ts';
import { validateTrainConfig } from '../../../src/core/train/config.ts';
import { BatchSampler, buildStepBatch, buildStepRows, planRun } from '../../../src/core/train/recipe.ts';
import { stepHostBatches, WHOLE } from '../../../src/core/train/shard.ts';
import { cosineLr } from '../../../src/core/train/schedule.ts';
import { reflectionDistillLoss } from '../../../src/core/distill/loss.ts';
import { batchToTensors, disposeBatch } from '../../../src/core/train/batch.ts';
import { trainStep } from '../../../src/core/train/step.ts';
import { selectNodeBackend } from '../../../src/platform/node/backend.ts';

describe('trainStep on wasm', () => {
  let model: LlamaModel;
  beforeAll(async () => {
    await selectNodeBackend('wasm');
  });
  afterAll(() => model?.dispose());

  it('runs distillation steps on the demo records: finite parts, loss goes down, no tensor leak', async () => {
    const records = demoRecords();
    const tok = BpeTokenizer.train(
      records.flatMap((r) => r.messages.flatMap((m) => m.content.map((b) => b.content))),
      1024,
    );
    // Keep the test fast: the two shortest reflection records + two generation records.
    const picked = [records[0]!, records[5]!, records[10]!, records[11]!];
    const { encoded, dropped } = encodeRecords(picked, tok, 1024);
    expect(dropped).toBe(0);
    const cfg = validateTrainConfig({
      batchSize: 2,
      gradAccumSteps: 2,
      maxSteps: 4,
      lr: 2e-2,
      warmupRatio: 0.1,
      seed: 1,
    });
    const plan = planRun(encoded, cfg);
    model = LlamaModel.init(
      {
        vocabSize: tok.vocabSize,
        dim: 32,
        nLayers: 1,
        nHeads: 2,
        nKvHeads: 1,
        ffnDim: 64,
        ropeTheta: 10000,
        normEps: 1e-5,
        maxSeqLen: 1024,
        tieEmbeddings: true,
      },
      1,
    );
    const opt = new AdamW(model.params, cfg);
    const sampler = new BatchSampler(encoded, cfg);
    // Fixed evaluation batch to compare before/after.
    const evalBatch = buildStepBatch(encoded, [0, 2], cfg, plan.totalSteps - 1, plan.totalSteps, tok.pad);
    const evalLoss = async () => {
      const b = batchToTensors(evalBatch);
      const l = tf.tidy(() => reflectionDistillLoss(model, b, cfg.lossWeights).total);
      const v = (await l.data())[0]!;
      l.dispose();
      disposeBatch(b);
      return v;
    };
    const before = await evalLoss();
    let tensors = -1;
    for (let step = 0; step < plan.totalSteps; step++) {
      const micro = stepHostBatches(
        [0, 1].map((m) => buildStepRows(encoded, sampler.next(), cfg, step, plan.totalSteps, m)),
        WHOLE,
        tok.pad,
        cfg.objective,
      );
      const r = await trainStep(
        model,
        opt,
        micro,
        cfg.lossWeights,
        cosineLr(step, plan.totalSteps, plan.warmupSteps, cfg.lr),
        cfg.maxGradNorm,
      );
      for (const v of [r.total, r.ceTeacher, r.ceStudent, r.kl, r.gradNorm]) expect(Number.isFinite(v)).toBe(true);
      expect(r.total).toBeGreaterThan(0);
      if (step === 1) tensors = tf.memory().numTensors;
      if (step > 1) expect(tf.memory().numTensors).toBe(tensors);
    }
    const after = await evalLoss();
    expect(after).toBeLessThan(before * 0.9);
    opt.dispose();
  });
});
