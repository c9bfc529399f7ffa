/** Turns step results into TrainProgress events: tokens/s over the session and ETA from recent step times. */
import type { TrainProgress } from '../../api/trainer.ts';
import type { StepResult } from './scheduled-step.ts';

const WINDOW = 20;

export class ProgressMeter {
  private readonly recent: number[] = [];
  private tokens = 0;
  private stepSeconds = 0;

  constructor(private readonly elapsedBefore: number) {}

  /** Seconds of stepping in this session (excludes pauses and checkpoint writes). */
  get sessionSeconds(): number {
    return this.stepSeconds;
  }

  get tokensPerSec(): number {
    return this.stepSeconds > 0 ? this.tokens / this.stepSeconds : 0;
  }

  record(r: StepResult, seconds: number, totalSteps: number, epoch: number): TrainProgress {
    this.tokens += r.tokens;
    this.stepSeconds += seconds;
    this.recent.push(seconds);
    if (this.recent.length > WINDOW) this.recent.shift();
    const perStep = this.recent.reduce((a, b) => a + b, 0) / this.recent.length;
    return {
      step: r.step,
      totalSteps,
      epoch,
      loss: r.loss,
      ce_teacher: r.ceTeacher,
      ce_student: r.ceStudent,
      kl: r.kl,
      mask_rate: r.maskRate,
      lr: r.lr,
      grad_norm: r.gradNorm,
      tokens_per_sec: this.tokensPerSec,
      eta_sec: perStep * (totalSteps - r.step),
      elapsed_sec: this.elapsedBefore + this.stepSeconds,
    };
  }
}
