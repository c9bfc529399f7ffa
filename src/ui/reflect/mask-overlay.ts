/**
 * Which reflection blocks the student would not see (docs/METHOD.md §4), computed by TRAIN-CORE's
 * studentVisibility on the record. No trained tokenizer is needed for the picture: a character-level
 * stand-in gives the same block-level masks, and for the token strategies the hidden share of each block
 * is counted in characters.
 */
import {
  BLOCK_ORDERS,
  MASK_STRATEGIES,
  studentVisibility,
  type BlockOrder,
  type MaskStrategy,
} from '../../core/distill/masks.ts';
import { encodeRecord, type TokenizerLike } from '../../core/records/serialize.ts';
import type { ReflectionRecord } from '../../core/records/schema.ts';
import { Rng } from '../../core/rng.ts';
import { ALL_SPECIALS } from '../../core/tokenizer/bpe.ts';
import { h } from '../dom.ts';

// The tokenizer's own special-token order (pad, bos, eos, then the seven record tokens).
const SPECIALS = ALL_SPECIALS;

const charTokenizer: TokenizerLike = {
  bos: 1,
  eos: 2,
  special(name: string): number {
    const i = SPECIALS.indexOf(name);
    if (i < 0) throw new Error(`unknown special token ${name}`);
    return i;
  },
  encode: (text: string) => Array.from(text, (c) => 16 + c.codePointAt(0)!),
  encodeOrdinary: (text: string) => Array.from(text, (c) => 16 + c.codePointAt(0)!),
};

export interface MaskSettings {
  strategy: MaskStrategy;
  order: BlockOrder;
  rate: number;
  seed: number;
}

/** Strategies that hide single tokens rather than whole blocks: the overlay then marks characters. */
export const TOKEN_STRATEGIES: readonly MaskStrategy[] = MASK_STRATEGIES.filter((m) => m.endsWith('-token'));

function visibility(
  record: ReflectionRecord,
  s: MaskSettings,
): { enc: ReturnType<typeof encodeRecord>; visible: boolean[] } {
  const enc = encodeRecord(record, charTokenizer);
  return { enc, visible: studentVisibility(enc, { strategy: s.strategy, order: s.order }, s.rate, new Rng(s.seed)) };
}

/**
 * For each block of the reflection sequence: which of its characters the student does not see (true =
 * hidden), in the order of Array.from(content). The block's type token and <|endofblock|> are left out.
 */
export function hiddenChars(record: ReflectionRecord, s: MaskSettings): boolean[][] | null {
  if (record.type !== 'reflection') return null;
  const { enc, visible } = visibility(record, s);
  const n = record.messages[1]?.content.length ?? 0;
  const perBlock: boolean[][] = Array.from({ length: n }, () => []);
  enc.annotation.forEach((a, i) => {
    if (a.segment !== 'reflection_sequence' || a.block < 0) return;
    perBlock[a.block].push(!visible[i]);
  });
  return perBlock.map((flags) => flags.slice(1, -1));
}

/** Hidden share (0..1) of each block of the reflection sequence, or null when the record has no student row. */
export function hiddenShares(record: ReflectionRecord, s: MaskSettings): number[] | null {
  if (record.type !== 'reflection') return null;
  const { enc, visible } = visibility(record, s);
  const n = record.messages[1]?.content.length ?? 0;
  const total = new Array<number>(n).fill(0);
  const hidden = new Array<number>(n).fill(0);
  enc.annotation.forEach((a, i) => {
    if (a.segment !== 'reflection_sequence' || a.block < 0) return;
    total[a.block] += 1;
    if (!visible[i]) hidden[a.block] += 1;
  });
  return total.map((t, b) => (t ? hidden[b] / t : 0));
}

/** The strategy / order / rate controls. */
export function mountMaskControls(root: HTMLElement, onChange: (s: MaskSettings | null) => void): void {
  const on = h('input', { type: 'checkbox', id: 'rc-mask-on' });
  const strategy = h('select', { 'aria-label': 'mask strategy' });
  for (const s of MASK_STRATEGIES) strategy.add(new Option(s, s, false, s === 'block'));
  const order = h('select', { 'aria-label': 'block order' });
  for (const o of BLOCK_ORDERS) order.add(new Option(o, o, false, o === 'EAC'));
  const rate = h('input', { type: 'range', min: 0, max: 1, step: 0.05, value: 0.5, 'aria-label': 'mask rate' });
  const rateOut = h('output');
  const emit = (): void => {
    rateOut.textContent = `rate ${Number(rate.value).toFixed(2)}`;
    onChange(
      on.checked
        ? {
            strategy: strategy.value as MaskStrategy,
            order: order.value as BlockOrder,
            rate: Number(rate.value),
            seed: 1,
          }
        : null,
    );
  };
  for (const el of [on, strategy, order, rate]) el.addEventListener('input', emit);
  const legend = h('p', { class: 'rc-mask-legend', testid: 'mask-legend' });
  legend.innerHTML =
    '<span class="rc-swatch rc-swatch-hidden" aria-hidden="true"></span> hidden from the student ' +
    '<span class="rc-swatch rc-swatch-seen" aria-hidden="true"></span> seen by the student. ' +
    'Block strategies grey whole blocks (the chip shows the hidden share); <code>*-token</code> strategies mark the hidden ' +
    'characters inside each block (a character-level stand-in for the tokenizer). The teacher always sees everything.';
  const wrap = h(
    'fieldset',
    { class: 'rc-mask' },
    h('legend', {}, 'Student mask overlay'),
    on,
    h('label', { for: 'rc-mask-on' }, 'show'),
    strategy,
    order,
    rate,
    rateOut,
    legend,
  );
  root.append(wrap);
  rateOut.textContent = 'rate 0.50';
}
