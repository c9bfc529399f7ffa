/**
 * CheckPool scheduling: checks begin on the first host that is ready, later hosts join as they become ready,
 * a host that fails to start later stays out, and a failed first start is an error.
 */
import { describe, expect, it } from 'vitest';
import type { CheckOutcome } from '../../../src/api/python.ts';
import { CheckPool, type PoolMember } from '../../../src/services/eval/pool.ts';

/** A host whose start-up the test finishes by hand; each check records which host ran it. */
class ManualHost implements PoolMember {
  ran: string[] = [];
  private finish!: { ok: () => void; fail: (e: Error) => void };
  readonly started = new Promise<void>((ok, fail) => {
    this.finish = { ok, fail };
  });
  constructor(readonly name: string) {
    this.started.catch(() => undefined);
  }
  ready(): void {
    this.finish.ok();
  }
  failStart(): void {
    this.finish.fail(new Error(`${this.name} did not start`));
  }
  async start(): Promise<{ version: string; loadMs: number }> {
    await this.started;
    return { version: this.name, loadMs: 1 };
  }
  async check(_kind: string, payload: object): Promise<CheckOutcome> {
    this.ran.push((payload as { id: string }).id);
    await new Promise((r) => setTimeout(r, 5));
    return { status: 'ok', value: { result: 'passed' }, durationMs: 5 };
  }
  dispose(): void {}
}

const checkAll = (pool: CheckPool, ids: string[]) =>
  Promise.all(ids.map((id) => pool.check('human-eval', { id }, { timeoutMs: 1000 })));

describe('CheckPool start-up', () => {
  it('resolves on the first ready host and runs checks there while the other is still starting', async () => {
    const [a, b] = [new ManualHost('a'), new ManualHost('b')];
    const pool = new CheckPool([a, b]);
    const started = pool.start();
    b.ready();
    expect((await started).version).toBe('b');
    await checkAll(pool, ['1', '2', '3']);
    expect(b.ran).toEqual(['1', '2', '3']);
    expect(a.ran).toEqual([]);
    a.ready();
    await a.start();
    await checkAll(pool, ['4', '5']);
    expect(a.ran.length).toBe(1);
    expect(b.ran.length).toBe(4);
  });

  it('a host that joins later takes a waiting check', async () => {
    const [a, b] = [new ManualHost('a'), new ManualHost('b')];
    const pool = new CheckPool([a, b]);
    const started = pool.start();
    a.ready();
    await started;
    const running = checkAll(pool, ['1', '2']);
    b.ready();
    await running;
    expect([...a.ran, ...b.ran].sort()).toEqual(['1', '2']);
  });

  it('a host failing after the first is ready stays out of the pool; a failed first start rejects', async () => {
    const [a, b] = [new ManualHost('a'), new ManualHost('b')];
    const pool = new CheckPool([a, b]);
    const started = pool.start();
    a.ready();
    await started;
    b.failStart();
    await checkAll(pool, ['1', '2', '3']);
    expect(a.ran).toEqual(['1', '2', '3']);

    const [c, d] = [new ManualHost('c'), new ManualHost('d')];
    const failing = new CheckPool([c, d]).start();
    c.failStart();
    await expect(failing).rejects.toThrow('c did not start');
  });
});
