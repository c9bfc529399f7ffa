/**
 * The run controller: pause, resume and stop for one training run, and the step loop that obeys them.
 * Stop aborts an AbortController (comlink cannot pass an AbortSignal, so the service owns one here);
 * pause closes a gate that the loop waits on between steps. `yieldFn` is awaited after every step so
 * queued messages (pause, stop, save) are handled while the run steps.
 */
export class RunController {
  private readonly abort = new AbortController();
  private gate: { promise: Promise<void>; open: () => void } | null = null;

  constructor(private readonly yieldFn: () => Promise<void>) {}

  /** Aborted by stop(); long preparation (tokenizer training) checks it too. */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  get paused(): boolean {
    return this.gate !== null;
  }

  /** Closes the gate: the loop waits before its next step until resume() or stop(). */
  pause(): void {
    if (this.gate) return;
    let open!: () => void;
    const promise = new Promise<void>((r) => (open = r));
    this.gate = {
      promise,
      open: () => {
        this.gate = null;
        open();
      },
    };
  }

  resume(): void {
    this.gate?.open();
  }

  /** The loop ends at the next step boundary (a paused loop wakes up and ends). */
  stop(): void {
    this.abort.abort(new DOMException('the run was stopped', 'AbortError'));
    this.gate?.open();
  }

  /** The run is over (finished, failed or stopped): nothing may stay blocked on the gate. */
  release(): void {
    this.gate?.open();
  }

  /**
   * Calls `step` until `done()` or stop(). Before a step it waits while paused (then calls `onResume`,
   * unless the pause ended in a stop); after a step it yields to the event loop.
   */
  async loop(done: () => boolean, step: () => Promise<void>, onResume: () => void): Promise<void> {
    const signal = this.abort.signal;
    while (!done() && !signal.aborted) {
      if (this.gate) {
        await this.gate.promise;
        if (signal.aborted) break;
        onResume();
      }
      await step();
      await this.yieldFn();
    }
  }
}
