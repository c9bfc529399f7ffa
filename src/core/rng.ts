/**
 * A small seeded PRNG (mulberry32): the same seed gives the same stream on every backend and in
 * every browser, and the state is one uint32 so it can be saved with a checkpoint and resumed.
 */
export class Rng {
  private s: number;

  constructor(seed: number) {
    // Mix the seed once so that nearby seeds (0, 1, 2) give unrelated streams.
    this.s = Rng.mix(Math.trunc(seed) >>> 0);
  }

  private static mix(x: number): number {
    x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
    x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
    return (x ^ (x >>> 16)) >>> 0;
  }

  /** Uniform float in [0, 1) with 32 random bits. */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    let u = this.next();
    while (u === 0) u = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** In-place Fisher–Yates shuffle. */
  shuffle<T>(a: T[]): T[] {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [a[i], a[j]] = [a[j], a[i]];
    }
    return a;
  }

  getState(): number {
    return this.s;
  }

  setState(state: number): void {
    if (!Number.isInteger(state) || state < 0 || state > 0xffffffff)
      throw new RangeError(`Rng state must be a uint32, found ${state}`);
    this.s = state;
  }
}
