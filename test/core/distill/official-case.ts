/** Builds the host batch of one case of reflection-loss-official.json with this project's masks and rows. */
import { parseBlockOrder, parseMaskStrategy, studentVisibility } from '../../../src/core/distill/masks.ts';
import { studentRow, teacherRow } from '../../../src/core/distill/rows.ts';
import { encodeRecord, type EncodedRecord } from '../../../src/core/records/serialize.ts';
import { makeHostBatch, type HostBatch } from '../../../src/core/train/batch.ts';
import { Rng } from '../../../src/core/rng.ts';
import { recordFromIds, type OfficialLossCase, type OfficialLossFixture } from '../helpers/fixture-record.ts';

export function officialEncoded(fx: OfficialLossFixture): Record<string, EncodedRecord> {
  const out: Record<string, EncodedRecord> = {};
  for (const [name, r] of Object.entries(fx.records)) {
    const { record, tok } = recordFromIds(r.input_ids, fx.special_token_ids);
    out[name] = encodeRecord(record, tok);
  }
  return out;
}

export function officialVisibility(
  enc: EncodedRecord,
  c: Pick<OfficialLossCase, 'strategy' | 'order' | 'mask_rate'>,
): boolean[] {
  return studentVisibility(
    enc,
    { strategy: parseMaskStrategy(c.strategy), order: parseBlockOrder(c.order) },
    c.mask_rate,
    new Rng(0),
    'official',
  );
}

export function officialCaseBatch(
  encs: Record<string, EncodedRecord>,
  c: Pick<OfficialLossCase, 'records' | 'strategy' | 'order' | 'mask_rate'>,
): HostBatch {
  const pairs = c.records.map((name) => {
    const e = encs[name]!;
    return { teacher: teacherRow(e), student: studentRow(e, officialVisibility(e, c)) };
  });
  return makeHostBatch(pairs, [], 0, 'official');
}
