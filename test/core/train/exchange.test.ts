import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { tsxWorkerCode } from '../../../src/cli/replica-port.ts';
import { exchangeBytes, TeacherExchange, type TargetSlot } from '../../../src/core/train/exchange.ts';

const V = 5;
const rows = (k: number, base: number) => Float32Array.from({ length: k * V }, (_, i) => base + i / 8);

describe('TeacherExchange (split pairs: KL targets in shared memory)', () => {
  it('hands a slot’s rows over, each slot at its own offset, as a copy', () => {
    const ex = TeacherExchange.create(3, 6, V, 1);
    const a: TargetSlot = { slot: 0, rowOffset: 0, k: 2 };
    const b: TargetSlot = { slot: 2, rowOffset: 2, k: 4 };
    ex.publish(b, rows(4, 100));
    ex.publish(a, rows(2, 7));
    const got = ex.take(a)!;
    expect(Array.from(got)).toEqual(Array.from(rows(2, 7)));
    expect(Array.from(ex.take(b)!)).toEqual(Array.from(rows(4, 100)));
    got[0] = -1; // a copy: the buffer is untouched
    expect(ex.take(a)![0]).toBe(7);
    expect(ex.handle.buffer.byteLength).toBe(exchangeBytes(3, 6, V));
  });

  it('a later generation does not see an earlier one’s rows: take gives up after its timeout (null)', () => {
    const first = TeacherExchange.create(1, 1, V, 1);
    const slot: TargetSlot = { slot: 0, rowOffset: 0, k: 1 };
    first.publish(slot, rows(1, 3));
    const next = new TeacherExchange({ ...first.handle, generation: 2 }, 30);
    const t0 = performance.now();
    expect(next.take(slot)).toBeNull();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(25);
    next.publish(slot, rows(1, 9));
    expect(next.take(slot)![0]).toBe(9);
  });

  it('refuses slots outside the buffer and rows of the wrong size; fits() says when to grow', () => {
    const ex = TeacherExchange.create(2, 3, V, 1);
    expect(() => ex.publish({ slot: 2, rowOffset: 0, k: 1 }, rows(1, 0))).toThrow(/outside/);
    expect(() => ex.publish({ slot: 0, rowOffset: 2, k: 2 }, rows(2, 0))).toThrow(/past the buffer/);
    expect(() => ex.publish({ slot: 0, rowOffset: 0, k: 2 }, rows(1, 0))).toThrow(/holds 2 rows/);
    expect(ex.fits(2, 3)).toBe(true);
    expect(ex.fits(3, 1)).toBe(false);
    expect(ex.fits(1, 4)).toBe(false);
  });

  it('across threads: take blocks until another thread publishes (the real class on both sides)', async () => {
    const ex = TeacherExchange.create(1, 2, V, 7);
    const slot: TargetSlot = { slot: 0, rowOffset: 0, k: 2 };
    // The worker (exchange-publisher.ts) waits 300 ms, then publishes rows(2, 42) into the same buffer.
    const worker = new Worker(tsxWorkerCode(new URL('./exchange-publisher.ts', import.meta.url).href), {
      eval: true,
      workerData: { handle: ex.handle, slot, values: rows(2, 42), delayMs: 300 },
    });
    const exited = new Promise((resolve, reject) => {
      worker.on('exit', resolve);
      worker.on('error', reject);
    });
    // Blocks this thread (Atomics.wait) until the worker's rows are there.
    const got = ex.take(slot);
    expect(got).not.toBeNull();
    expect(Array.from(got!)).toEqual(Array.from(rows(2, 42)));
    expect(ex.waitedMs).toBeGreaterThan(100);
    await exited;
  });
});
