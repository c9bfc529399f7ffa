/** adamw-cosine.json: AdamW (decoupled weight decay) + warmup/cosine schedule, 20 steps, on cpu and wasm. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CheckpointError } from '../../../src/core/errors.ts';
import { AdamW } from '../../../src/core/train/adamw.ts';
import { cosineLr, totalStepsFor, warmupStepsFor } from '../../../src/core/train/schedule.ts';
import { selectNodeBackend } from '../../../src/platform/node/backend.ts';
import { FIXTURES } from '../helpers/fixture-record.ts';

interface AdamFixture {
  lr: number;
  betas: [number, number];
  eps: number;
  weight_decay: number;
  total_steps: number;
  warmup_steps: number;
  shape: number[];
  initial: number[];
  grads: number[][];
  lr_at_step: number[];
  weights_after_step: number[][];
}
const fx = JSON.parse(readFileSync(path.join(FIXTURES, 'adamw-cosine.json'), 'utf8')) as AdamFixture;

describe('cosine schedule with warmup', () => {
  it('reproduces the fixture learning rates (step 0 has lr 0)', () => {
    expect(fx.lr_at_step).toHaveLength(fx.total_steps);
    fx.lr_at_step.forEach((want, s) =>
      expect(cosineLr(s, fx.total_steps, fx.warmup_steps, fx.lr)).toBeCloseTo(want, 12),
    );
  });
  it('warmup steps = ceil(ratio · total); total steps from epochs or maxSteps', () => {
    expect(warmupStepsFor(20, 0.05)).toBe(1);
    expect(warmupStepsFor(100, 0.05)).toBe(5);
    expect(warmupStepsFor(30, 0.05)).toBe(2);
    expect(totalStepsFor(10, { epochs: 2, maxSteps: 0, batchSize: 3, gradAccumSteps: 2 })).toBe(4);
    expect(totalStepsFor(10, { epochs: 2, maxSteps: 7, batchSize: 3, gradAccumSteps: 2 })).toBe(7);
    expect(() => totalStepsFor(0, { epochs: 2, maxSteps: 0, batchSize: 3, gradAccumSteps: 2 })).toThrow(
      /nothing to train on/,
    );
  });
  it('decays to 0 at the end and never goes negative', () => {
    expect(cosineLr(100, 100, 5, 1)).toBe(0);
    expect(cosineLr(99, 100, 5, 1)).toBeGreaterThan(0);
  });
});

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`AdamW on ${backend}`, () => {
    beforeAll(async () => {
      await selectNodeBackend(backend);
    });

    it('reproduces the fixture weights after each of 20 steps', async () => {
      const p = tf.variable(tf.tensor(fx.initial, fx.shape), true, `adamw-fixture-${backend}`);
      const params = new Map([['w', p]]);
      const opt = new AdamW(params, {
        beta1: fx.betas[0],
        beta2: fx.betas[1],
        eps: fx.eps,
        weightDecay: fx.weight_decay,
      });
      const before = tf.memory().numTensors;
      for (let s = 0; s < fx.total_steps; s++) {
        const g = tf.tensor(fx.grads[s]!, fx.shape);
        opt.apply(new Map([['w', g]]), cosineLr(s, fx.total_steps, fx.warmup_steps, fx.lr));
        g.dispose();
        const got = await p.data();
        fx.weights_after_step[s]!.forEach((w, i) =>
          expect(Math.abs(got[i]! - w), `step ${s} elem ${i}`).toBeLessThan(1e-6 + 1e-5 * Math.abs(w)),
        );
      }
      expect(tf.memory().numTensors).toBe(before);
      expect(opt.step).toBe(20);

      // Export/import: a fresh optimizer resumed from the state takes the same next step.
      const state = await opt.exportState();
      const q = tf.variable(p.clone(), true, `adamw-resume-${backend}`);
      const opt2 = new AdamW(new Map([['w', q]]), {
        beta1: fx.betas[0],
        beta2: fx.betas[1],
        eps: fx.eps,
        weightDecay: fx.weight_decay,
      });
      opt2.importState(state);
      const g = tf.tensor(fx.grads[3]!, fx.shape);
      opt.apply(new Map([['w', g]]), 0.003);
      opt2.apply(new Map([['w', g]]), 0.003);
      expect(Array.from(await q.data())).toEqual(Array.from(await p.data()));
      expect(() => opt2.importState({ ...state, m: {} })).toThrow(CheckpointError);
      expect(() => opt2.importState({ ...state, v: { w: { shape: [3, 4], data: new Float32Array(12) } } })).toThrow(
        /shape \[3,4\], expected \[4,3\]/,
      );
      g.dispose();
      opt.dispose();
      opt2.dispose();
      p.dispose();
      q.dispose();
    });

    it('does not decay rank-1 parameters (norm gains) by default', async () => {
      const gain = tf.variable(tf.ones([3]), true, `gain-${backend}`);
      const opt = new AdamW(new Map([['norm.weight', gain]]), {
        beta1: 0.9,
        beta2: 0.999,
        eps: 1e-8,
        weightDecay: 0.5,
      });
      const z = tf.zeros([3]);
      opt.apply(new Map([['norm.weight', z]]), 0.1);
      expect(Array.from(await gain.data())).toEqual([1, 1, 1]);
      tf.dispose([z, gain]);
      opt.dispose();
    });
  });
}
