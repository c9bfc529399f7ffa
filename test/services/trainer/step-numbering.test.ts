import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { validateRunConfig } from '../../../src/core/train/run-config.ts';
import { maskRate } from '../../../src/core/distill/masks.ts';
import { ProgressMeter } from '../../../src/services/trainer/progress.ts';
import { TrainingRun } from '../../../src/services/trainer/run.ts';
import { shortRecords, tinyConfig } from './short-records.ts';

describe('one step-numbering convention: steps completed, 1-based', () => {
  it('StepResult.step, the run’s step and TrainProgress.step all count completed steps', async () => {
    await tf.setBackend('cpu');
    const run = await TrainingRun.create({
      config: validateRunConfig(tinyConfig({ maxSteps: 3 })),
      records: shortRecords(),
      datasets: [],
      name: 'numbering',
    });
    try {
      const meter = new ProgressMeter(0);
      for (let n = 1; n <= 3; n++) {
        const r = await run.trainStep();
        expect(r.step).toBe(n);
        expect(run.step).toBe(n);
        // The schedule still sees the 0-based index of the step that ran: mask rate (n-1+1)/total.
        expect(r.maskRate).toBe(maskRate(n - 1, run.totalSteps));
        const p = meter.record(r, 0.5, run.totalSteps, run.epochProgress);
        expect(p.step).toBe(n);
        expect(p.eta_sec).toBeCloseTo(0.5 * (run.totalSteps - n));
      }
      expect(run.done).toBe(true);
    } finally {
      run.dispose();
    }
  });
});
