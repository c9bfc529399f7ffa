/** Run controls (start / pause-resume / stop), progress bar with ETA, tokens/s, and the backend in use. */
import type { BackendChoice } from '../../api/backend.ts';
import type { RunState, TrainProgress } from '../../api/trainer.ts';
import { formatDuration, h } from '../dom.ts';

export interface RunControls {
  start(): void;
  pause(): void;
  resume(): void;
  stop(): void;
  /** Hard stop: terminates the worker (a step that takes too long); the last checkpoint is kept. */
  kill(): void;
}

export class ProgressView {
  readonly root: HTMLElement;
  private readonly bar: HTMLProgressElement;
  private readonly stepText: HTMLElement;
  private readonly stateText: HTMLElement;
  private readonly backendText: HTMLElement;
  private readonly startBtn: HTMLButtonElement;
  private readonly pauseBtn: HTMLButtonElement;
  private readonly stopBtn: HTMLButtonElement;
  private readonly killBtn: HTMLButtonElement;
  state: RunState = 'idle';
  private last: TrainProgress | null = null;

  constructor(controls: RunControls) {
    this.startBtn = h(
      'button',
      { type: 'button', class: 'primary', testid: 'train-start', onclick: () => controls.start() },
      'Train',
    );
    this.pauseBtn = h(
      'button',
      {
        type: 'button',
        testid: 'train-pause',
        disabled: true,
        onclick: () => (this.state === 'paused' ? controls.resume() : controls.pause()),
      },
      'Pause',
    );
    this.stopBtn = h(
      'button',
      { type: 'button', testid: 'train-stop', disabled: true, onclick: () => controls.stop() },
      'Stop',
    );
    this.killBtn = h(
      'button',
      {
        type: 'button',
        testid: 'train-kill',
        hidden: true,
        title: 'Terminate the worker now; the run can resume from its last checkpoint',
        onclick: () => controls.kill(),
      },
      'Force stop',
    );
    this.bar = h('progress', { max: 1, value: 0, testid: 'train-progress', 'aria-label': 'Training progress' });
    this.stepText = h('span', { testid: 'train-step' }, 'not started');
    this.stateText = h('span', { testid: 'train-state' }, 'idle');
    this.backendText = h('span', { testid: 'train-backend' }, 'backend: starting…');
    this.root = h(
      'section',
      { class: 'train-run', 'aria-label': 'Run' },
      h('div', { class: 'train-buttons' }, this.startBtn, this.pauseBtn, this.stopBtn, this.killBtn),
      h('div', { class: 'train-progress-row' }, this.bar, ' ', this.stepText),
      h('div', { class: 'train-meta' }, 'State: ', this.stateText, ' · ', this.backendText),
    );
  }

  setBackend(choice: BackendChoice | null, note?: string): void {
    this.backendText.textContent = choice
      ? `backend: ${choice.backend}${choice.backend === 'webgpu' && choice.adapter ? ` (${choice.adapter})` : ''}`
      : `backend: ${note ?? 'starting…'}`;
    this.backendText.title = choice?.reason ?? '';
  }

  setState(state: RunState, message?: string): void {
    this.state = state;
    this.stateText.textContent = message ? `${state} — ${message}` : state;
    const active = state === 'preparing' || state === 'running' || state === 'paused' || state === 'stopping';
    this.startBtn.disabled = active;
    this.pauseBtn.disabled = !(state === 'running' || state === 'paused');
    this.pauseBtn.textContent = state === 'paused' ? 'Resume' : 'Pause';
    this.stopBtn.disabled = !active || state === 'stopping';
    // Stop waits for the current step; offer the hard stop while waiting.
    this.killBtn.hidden = state !== 'stopping';
    // Speed and ETA describe a running run only.
    if (!active && this.last) this.stepText.textContent = this.describe(this.last, false);
  }

  get active(): boolean {
    return (
      this.state === 'preparing' || this.state === 'running' || this.state === 'paused' || this.state === 'stopping'
    );
  }

  setProgress(p: TrainProgress): void {
    this.last = p;
    this.bar.max = p.totalSteps;
    this.bar.value = p.step;
    this.stepText.textContent = this.describe(p, this.active);
  }

  private describe(p: TrainProgress, running: boolean): string {
    const base = `step ${p.step}/${p.totalSteps} · epoch ${p.epoch.toFixed(2)} · loss ${p.loss.toFixed(4)}`;
    return running ? `${base} · ${Math.round(p.tokens_per_sec)} tok/s · ETA ${formatDuration(p.eta_sec)}` : base;
  }

  setStartText(steps: number, totalSteps: number): void {
    this.last = null;
    this.bar.max = Math.max(1, totalSteps);
    this.bar.value = steps;
    this.stepText.textContent = `step ${steps}/${totalSteps}`;
  }
}
