/**
 * Which reflection blocks the student would not see (METHOD.md §4), computed by TRAIN-CORE's
 * studentVisibility on the record. No trained tokenizer is needed for the picture: a character-level
 * stand-in gives the same block-level masks, and for the token strategies the hidden share of each block
 * is counted in characters.
 */
import { BLOCK_ORDERS, MASK_STRATEGIES, studentVisibility, type BlockOrder, type MaskStrategy } from '../../core/distill/masks.ts';
import { encodeRecord, type TokenizerLike } from '../../core/records/serialize.ts';
import type { ReflectionRecord } from '../../core/records/schema.ts';
import { Rng } from '../../core/rng.ts';

const SPECIALS = ['<|pad|>', '<|bos|>', '<|eos|>', '<|user|>', '<|assistant|>', '<|endofmessage|>', '<|text|>', '<|code|>', '<|execution|>', '<|endofblock|>'];

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

export interface MaskSettings { strategy: MaskStrategy; order: BlockOrder; rate: number; seed: number }

/** Hidden share (0..1) of each block of the reflection sequence, or null when the record has no student row. */
export function hiddenShares(record: ReflectionRecord, s: MaskSettings): number[] | null {
  if (record.type !== 'reflection') return null;
  const enc = encodeRecord(record, charTokenizer);
  const visible = studentVisibility(enc, { strategy: s.strategy, order: s.order }, s.rate, new Rng(s.seed));
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
  const wrap = document.createElement('fieldset');
  wrap.className = 'rc-mask';
  wrap.innerHTML = '<legend>Student mask overlay</legend>';
  const on = Object.assign(document.createElement('input'), { type: 'checkbox', id: 'rc-mask-on' });
  const onLabel = Object.assign(document.createElement('label'), { htmlFor: 'rc-mask-on', textContent: 'show' });
  const strategy = document.createElement('select');
  strategy.setAttribute('aria-label', 'mask strategy');
  for (const s of MASK_STRATEGIES) strategy.add(new Option(s, s, false, s === 'block'));
  const order = document.createElement('select');
  order.setAttribute('aria-label', 'block order');
  for (const o of BLOCK_ORDERS) order.add(new Option(o, o, false, o === 'EAC'));
  const rate = Object.assign(document.createElement('input'), { type: 'range', min: '0', max: '1', step: '0.05', value: '0.5' });
  rate.setAttribute('aria-label', 'mask rate');
  const rateOut = document.createElement('output');
  const emit = (): void => {
    rateOut.textContent = `rate ${Number(rate.value).toFixed(2)}`;
    onChange(on.checked ? { strategy: strategy.value as MaskStrategy, order: order.value as BlockOrder, rate: Number(rate.value), seed: 1 } : null);
  };
  for (const el of [on, strategy, order, rate]) el.addEventListener('input', emit);
  wrap.append(on, onLabel, strategy, order, rate, rateOut);
  root.append(wrap);
  rateOut.textContent = 'rate 0.50';
}
