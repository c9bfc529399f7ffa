/**
 * The one async mutex (trainer service, file store, Python supervisor's run queue): tasks run one at a time
 * in call order, and a rejected task does not stop the next. The training loop awaits inside a step (tensor downloads), and comlink
 * delivers save()/stop() messages at any await, so a checkpoint must never interleave with a step:
 * both run under this lock.
 */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(f: () => Promise<T>): Promise<T> {
    const result = this.tail.then(f);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
