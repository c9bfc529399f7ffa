import { describe, expect, it } from 'vitest';
import { RunController } from '../../../src/services/trainer/controller.ts';

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

/** A loop of `total` steps that records what happened, in order. */
function harness(total: number) {
  const log: string[] = [];
  const c = new RunController(async () => {
    log.push('yield');
    await tick();
  });
  let steps = 0;
  const running = c.loop(
    () => steps >= total,
    async () => {
      steps++;
      log.push(`step ${steps}`);
    },
    () => log.push('resumed'),
  );
  return { c, log, running, steps: () => steps };
}

describe('RunController', () => {
  it('runs every step with a yield after each, then ends', async () => {
    const { log, running, c } = harness(3);
    await running;
    expect(log).toEqual(['step 1', 'yield', 'step 2', 'yield', 'step 3', 'yield']);
    expect(c.signal.aborted).toBe(false);
  });

  it('pause holds the loop between steps until resume, which is reported once', async () => {
    const { c, log, running, steps } = harness(50);
    await tick();
    c.pause();
    expect(c.paused).toBe(true);
    const at = steps();
    for (let i = 0; i < 5; i++) await tick();
    expect(steps()).toBe(at); // no step while paused
    c.resume();
    expect(c.paused).toBe(false);
    await running;
    expect(steps()).toBe(50);
    expect(log.filter((l) => l === 'resumed')).toHaveLength(1);
  });

  it('stop ends the loop at the next step boundary, also from a pause, without reporting a resume', async () => {
    const a = harness(1000);
    await tick();
    a.c.stop();
    await a.running;
    expect(a.steps()).toBeLessThan(1000);
    expect(a.c.signal.aborted).toBe(true);
    expect((a.c.signal.reason as DOMException).name).toBe('AbortError');

    const b = harness(1000);
    await tick();
    b.c.pause();
    const at = b.steps();
    b.c.stop();
    await b.running;
    expect(b.steps()).toBe(at);
    expect(b.log).not.toContain('resumed');
  });

  it('pause twice is one pause; release opens the gate; resume and stop when idle do nothing harmful', async () => {
    const c = new RunController(tick);
    c.resume();
    c.pause();
    c.pause();
    expect(c.paused).toBe(true);
    c.release();
    expect(c.paused).toBe(false);
    let ran = 0;
    await c.loop(
      () => ran >= 2,
      async () => void ran++,
      () => {},
    );
    expect(ran).toBe(2);
  });

  it('a step that throws ends the loop with that error', async () => {
    const c = new RunController(tick);
    await expect(
      c.loop(
        () => false,
        async () => {
          throw new RangeError('boom');
        },
        () => {},
      ),
    ).rejects.toThrow('boom');
  });
});
