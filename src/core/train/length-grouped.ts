/**
 * `batching: "official"`: the official MultiDatasetsLengthGroupedSampler (src/utils/trainer.py
 * lines 189–223) on top of Hugging Face's get_length_grouped_indices:
 *  - every group (official: every --train_file; here: every record type × up-sampling copy, because
 *    a stored dataset may mix types while each released file holds one) is ordered by
 *    get_length_grouped_indices: a random permutation cut into mega-batches of
 *    min(n // (4 · batch), 50) (at least 1) × batch records, each sorted
 *    by length, longest first, and the overall longest record moved to the very front;
 *  - each group keeps only whole batches (`l // batch_size * batch_size`: the remainder is dropped);
 *  - the batches of all groups are shuffled together, so a batch holds records of one group only.
 * Official `batch_size` is train_batch_size × world_size (16 records on 16 GPUs); on one device the
 * analogue is one micro-batch, `batchSize`.
 */
import type { EncodedRecord } from '../records/serialize.ts';
import type { Rng } from '../rng.ts';
import type { TrainConfig } from './config.ts';

type Usable = (e: EncodedRecord, cfg: TrainConfig) => boolean;
type Copies = (e: EncodedRecord, cfg: TrainConfig) => number;

/** Record indices of each group: type × up-sampling copy, in dataset order. */
function groups(encoded: readonly EncodedRecord[], cfg: TrainConfig, usable: Usable, copies: Copies): number[][] {
  const byKey = new Map<string, number[]>();
  encoded.forEach((e, i) => {
    if (!usable(e, cfg)) return;
    for (let k = 0; k < copies(e, cfg); k++) {
      const key = `${e.type}#${k}`;
      let g = byKey.get(key);
      if (!g) byKey.set(key, (g = []));
      g.push(i);
    }
  });
  return [...byKey.values()];
}

/** Hugging Face get_length_grouped_indices (trainer_pt_utils.py) with a seeded permutation. */
export function lengthGroupedIndices(lengths: readonly number[], batchSize: number, rng: Rng): number[] {
  const perm = rng.shuffle(Array.from({ length: lengths.length }, (_, i) => i));
  const mega = batchSize * Math.max(1, Math.min(Math.floor(lengths.length / (batchSize * 4)), 50));
  const megabatches: number[][] = [];
  for (let i = 0; i < perm.length; i += mega) {
    megabatches.push(perm.slice(i, i + mega).sort((a, b) => lengths[b]! - lengths[a]!)); // stable, longest first
  }
  if (megabatches.length > 0) {
    let maxIdx = 0;
    megabatches.forEach((mb, k) => {
      if (lengths[mb[0]!]! > lengths[megabatches[maxIdx]![0]!]!) maxIdx = k;
    });
    const first = megabatches[0]!;
    const top = megabatches[maxIdx]!;
    [first[0], top[0]] = [top[0]!, first[0]!];
  }
  return megabatches.flat();
}

/** Items per epoch under official batching: each group's whole batches only. */
export function officialItemsPerEpoch(
  encoded: readonly EncodedRecord[],
  cfg: TrainConfig,
  usable: Usable,
  copies: Copies,
): number {
  return groups(encoded, cfg, usable, copies).reduce(
    (n, g) => n + Math.floor(g.length / cfg.batchSize) * cfg.batchSize,
    0,
  );
}

/** One epoch's record indices: whole length-grouped batches of one group each, batches shuffled. */
export function officialEpochOrder(
  encoded: readonly EncodedRecord[],
  cfg: TrainConfig,
  rng: Rng,
  usable: Usable,
  copies: Copies,
): number[] {
  const bs = cfg.batchSize;
  const batches: number[][] = [];
  for (const g of groups(encoded, cfg, usable, copies)) {
    const order = lengthGroupedIndices(
      g.map((i) => encoded[i]!.ids.length),
      bs,
      rng,
    );
    const keep = Math.floor(g.length / bs) * bs;
    for (let i = 0; i < keep; i += bs) batches.push(order.slice(i, i + bs).map((j) => g[j]!));
  }
  rng.shuffle(batches);
  const out: number[] = [];
  for (const b of batches) for (const i of b) out.push(i);
  return out;
}
