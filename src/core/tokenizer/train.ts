/**
 * Byte-level BPE training with incremental pair counting. Words (pre-tokenised pieces) are counted
 * once; each merge only revisits the words that contain the merged pair (an inverted index), and
 * the best pair comes from a max-heap with lazy invalidation — so a few MB of text trains in
 * seconds instead of recounting every pair for every merge.
 */
export interface TrainProgress {
  phase: 'count' | 'merge';
  merges: number;
  targetMerges: number;
}

const PAIR_BASE = 1 << 21; // ids stay below 2M, so a pair packs exactly into one double
const pairKey = (a: number, b: number): number => a * PAIR_BASE + b;

/** Max-heap on (count desc, key asc): ties broken by the smaller pair for determinism. */
class PairHeap {
  private counts: number[] = [];
  private keys: number[] = [];
  get size(): number {
    return this.keys.length;
  }
  private above(i: number, j: number): boolean {
    return this.counts[i]! > this.counts[j]! || (this.counts[i] === this.counts[j] && this.keys[i]! < this.keys[j]!);
  }
  private swap(i: number, j: number): void {
    [this.counts[i], this.counts[j]] = [this.counts[j]!, this.counts[i]!];
    [this.keys[i], this.keys[j]] = [this.keys[j]!, this.keys[i]!];
  }
  push(count: number, key: number): void {
    this.counts.push(count);
    this.keys.push(key);
    let i = this.keys.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.above(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }
  pop(): { count: number; key: number } | undefined {
    const n = this.keys.length;
    if (n === 0) return undefined;
    const top = { count: this.counts[0]!, key: this.keys[0]! };
    this.swap(0, n - 1);
    this.counts.pop();
    this.keys.pop();
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n - 1 && this.above(l, m)) m = l;
      if (r < n - 1 && this.above(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
    return top;
  }
}

/** Replaces every left-to-right, non-overlapping occurrence of the pair (a, b) in `seq` by `merged`. */
export function applyMerge(seq: readonly number[], a: number, b: number, merged: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < seq.length; i++) {
    if (i + 1 < seq.length && seq[i] === a && seq[i + 1] === b) {
      out.push(merged);
      i++;
    } else out.push(seq[i]!);
  }
  return out;
}

/**
 * Learns up to `numMerges` merges over `words` (piece → count), whose symbols start as
 * `byteOffset + byte`; merge k creates id `firstMergeId + k`. Yields progress every `chunk`
 * merges so a caller can report and yield to its event loop. Returns the merges as [a, b] pairs.
 */
export function* learnMerges(
  words: Map<string, number>,
  numMerges: number,
  byteOffset: number,
  firstMergeId: number,
  chunk = 64,
): Generator<TrainProgress, [number, number][]> {
  const enc = new TextEncoder();
  const syms: number[][] = [];
  const freq: number[] = [];
  for (const [w, c] of words) {
    const bytes = enc.encode(w);
    if (bytes.length < 2) continue; // a single byte has no pair to merge
    syms.push(Array.from(bytes, (b) => b + byteOffset));
    freq.push(c);
  }
  const counts = new Map<number, number>();
  const where = new Map<number, Set<number>>();
  const addPairs = (w: number, sign: number, touched: Set<number> | null) => {
    const s = syms[w]!;
    for (let i = 0; i + 1 < s.length; i++) {
      const k = pairKey(s[i]!, s[i + 1]!);
      counts.set(k, (counts.get(k) ?? 0) + sign * freq[w]!);
      if (sign > 0) {
        let set = where.get(k);
        if (!set) where.set(k, (set = new Set()));
        set.add(w);
      }
      touched?.add(k);
    }
  };
  for (let w = 0; w < syms.length; w++) addPairs(w, 1, null);
  const heap = new PairHeap();
  for (const [k, c] of counts) heap.push(c, k);
  yield { phase: 'count', merges: 0, targetMerges: numMerges };

  const merges: [number, number][] = [];
  while (merges.length < numMerges) {
    const top = heap.pop();
    if (!top) break;
    const current = counts.get(top.key) ?? 0;
    if (current !== top.count) continue; // stale entry; the live count was pushed again when it changed
    if (current <= 0) break;
    const a = Math.floor(top.key / PAIR_BASE);
    const b = top.key % PAIR_BASE;
    const c = firstMergeId + merges.length;
    merges.push([a, b]);
    const touched = new Set<number>();
    for (const w of where.get(top.key) ?? []) {
      const s = syms[w]!;
      let found = false;
      for (let i = 0; i + 1 < s.length; i++)
        if (s[i] === a && s[i + 1] === b) {
          found = true;
          break;
        }
      if (!found) continue; // stale index entry
      addPairs(w, -1, touched);
      syms[w] = applyMerge(s, a, b, c);
      addPairs(w, 1, touched);
    }
    where.delete(top.key);
    counts.delete(top.key);
    for (const k of touched) {
      const v = counts.get(k) ?? 0;
      if (v <= 0) counts.delete(k);
      else heap.push(v, k);
    }
    if (merges.length % chunk === 0) yield { phase: 'merge', merges: merges.length, targetMerges: numMerges };
  }
  yield { phase: 'merge', merges: merges.length, targetMerges: numMerges };
  return merges;
}
