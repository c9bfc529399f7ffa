/**
 * The KL targets of split pairs, handed from instance to instance in shared memory (shard.ts, "Split
 * pairs"). A pair split over two instances has its teacher row in one batch and its student row in
 * another. The student's KL term needs the teacher's log-probabilities at the KL positions; the teacher's
 * instance computes them anyway, in its own forward pass. So that instance PUBLISHES them into a
 * SharedArrayBuffer as soon as its forward pass has them, and the student's instance, after its own
 * forward pass, TAKES them (Atomics.wait until they are there): no instance runs the teacher's forward
 * twice. Both forward passes start together, so the wait is short.
 *
 * Layout: `slots` Int32 flags (the generation that last published into the slot), then Float32 rows of
 * `vocab` values; a slot's rows start at its `rowOffset`. Each step uses a new generation, so a flag left
 * by an earlier step never matches. Publish writes the rows, then stores the flag (Atomics: the rows are
 * visible to whoever sees the flag).
 *
 * If the rows do not come within `timeoutMs` (the other instance failed, or an order of sub-batches made
 * the wait circular), `take` returns null and the student's instance computes the teacher's forward
 * itself: slower, never wrong.
 */
import { ShapeError } from '../errors.ts';

/** Where a split pair's teacher log-probabilities go: `k` rows of the vocabulary from row `rowOffset`. */
export interface TargetSlot {
  slot: number;
  rowOffset: number;
  k: number;
}

/** What a request carries to let an instance use the exchange (plain data: postMessage shares the buffer). */
export interface ExchangeHandle {
  buffer: SharedArrayBuffer;
  slots: number;
  vocab: number;
  generation: number;
}

/** How long a student waits for its teacher's rows before computing them itself. */
export const DEFAULT_TAKE_TIMEOUT_MS = 15_000;

/** Bytes of an exchange for `slots` slots and `rows` rows of `vocab` floats. */
export function exchangeBytes(slots: number, rows: number, vocab: number): number {
  return 4 * (slots + rows * vocab);
}

export class TeacherExchange {
  private readonly flags: Int32Array;
  private readonly rows: Float32Array;
  /** How long `take` waited in all, in ms (diagnostics: the instances' wait for each other). */
  waitedMs = 0;

  constructor(
    readonly handle: ExchangeHandle,
    private readonly timeoutMs = DEFAULT_TAKE_TIMEOUT_MS,
  ) {
    const { buffer, slots, vocab } = handle;
    if (!Number.isInteger(slots) || slots < 0 || !Number.isInteger(vocab) || vocab < 1)
      throw new ShapeError(
        `exchange: slots and vocab must be integers (slots ≥ 0, vocab ≥ 1), found ${slots}, ${vocab}`,
      );
    if (buffer.byteLength < exchangeBytes(slots, 0, vocab))
      throw new ShapeError(`exchange: ${buffer.byteLength} bytes cannot hold ${slots} slots`);
    this.flags = new Int32Array(buffer, 0, slots);
    this.rows = new Float32Array(buffer, 4 * slots, Math.floor((buffer.byteLength - 4 * slots) / 4));
  }

  /** A new exchange with room for `slots` slots and `rows` rows (the leader creates it; replicas receive its handle). */
  static create(slots: number, rows: number, vocab: number, generation: number): TeacherExchange {
    return new TeacherExchange({
      buffer: new SharedArrayBuffer(exchangeBytes(slots, rows, vocab)),
      slots,
      vocab,
      generation,
    });
  }

  /** Can this exchange hold `slots` slots and `rows` rows? */
  fits(slots: number, rows: number): boolean {
    return slots <= this.handle.slots && rows * this.handle.vocab <= this.rows.length;
  }

  private check(s: TargetSlot, floats: number): void {
    if (s.slot < 0 || s.slot >= this.handle.slots || s.rowOffset < 0)
      throw new ShapeError(`exchange: slot ${s.slot} at row ${s.rowOffset} is outside its ${this.handle.slots} slots`);
    if (floats !== s.k * this.handle.vocab)
      throw new ShapeError(`exchange: slot ${s.slot} holds ${s.k} rows, given ${floats} values`);
    if ((s.rowOffset + s.k) * this.handle.vocab > this.rows.length)
      throw new ShapeError(`exchange: slot ${s.slot}'s rows end past the buffer`);
  }

  /** The teacher's side: its k rows of log-probabilities, [k, vocab] row-major, for this generation. */
  publish(s: TargetSlot, logProbs: Float32Array): void {
    this.check(s, logProbs.length);
    this.rows.set(logProbs, s.rowOffset * this.handle.vocab);
    Atomics.store(this.flags, s.slot, this.handle.generation);
    Atomics.notify(this.flags, s.slot);
  }

  /** The student's side: the slot's rows (a copy) once published in this generation; null after the timeout. */
  take(s: TargetSlot): Float32Array | null {
    this.check(s, s.k * this.handle.vocab);
    const gen = this.handle.generation;
    const t0 = performance.now();
    for (;;) {
      const seen = Atomics.load(this.flags, s.slot);
      if (seen === gen) break;
      const left = this.timeoutMs - (performance.now() - t0);
      if (left <= 0) {
        this.waitedMs += performance.now() - t0;
        return null;
      }
      Atomics.wait(this.flags, s.slot, seen, left);
    }
    this.waitedMs += performance.now() - t0;
    const from = s.rowOffset * this.handle.vocab;
    return this.rows.slice(from, from + s.k * this.handle.vocab);
  }
}

/** Whether this context can share memory with its workers (a page must be cross-origin isolated). */
export function canShareMemory(): boolean {
  const g = globalThis as { crossOriginIsolated?: boolean };
  return typeof SharedArrayBuffer === 'function' && g.crossOriginIsolated !== false;
}
