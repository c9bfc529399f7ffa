/**
 * Dynamically masked distillation (docs/METHOD.md §4): which keys of a reflection record the student
 * row may attend to at a given mask rate. Mirrors MaskCollator.mask and the *_mask functions of the
 * official src/utils/trainer.py (lines 71–157):
 *  - always hidden: BOS and everything before the first <|assistant|>, that token itself, and the
 *    <|endofmessage|> closing the first assistant message (the reflection sequence);
 *  - the strategy hides some of the reflection sequence's tokens, more as the rate grows;
 *  - everything after the reflection sequence stays visible.
 * Two rounding conventions: `official` (math.ceil counts, block thresholds >= 0.33 / >= 0.67, as the
 * official code) and `per-term` (floor counts, thresholds 1/3 / 2/3: this project's earlier objective,
 * kept with it so its fixture still holds).
 */
import { ConfigError } from '../errors.ts';
import type { Rng } from '../rng.ts';
import type { BlockType } from '../records/schema.ts';
import type { EncodedRecord, TokenAnnotation } from '../records/serialize.ts';

/**
 * Strategy names as the official flags (`--all_mask`, `--block_mask`, `--sequential_block_mask`,
 * `--random_block_mask`, `--sequential_token_mask`, `--random_token_mask`), plus the paper's
 * "w/ Three Mask Strategies" (`three-strategies`: random-block, sequential-block or block, drawn per
 * sample) and `none` (nothing of the reflection sequence hidden; a diagnostic).
 */
export const MASK_STRATEGIES = [
  'block',
  'sequential-block',
  'random-block',
  'sequential-token',
  'random-token',
  'all',
  'three-strategies',
  'none',
] as const;
export type MaskStrategy = (typeof MASK_STRATEGIES)[number];
/** Accepted spellings → the strategy (official flag names with `_`, and this project's earlier names). */
export const MASK_STRATEGY_ALIASES: Record<string, MaskStrategy> = {
  sequential: 'sequential-block',
  random: 'random-block',
  sequential_block: 'sequential-block',
  random_block: 'random-block',
  sequential_token: 'sequential-token',
  random_token: 'random-token',
  three: 'three-strategies',
  mix: 'three-strategies',
};
/** The strategies the paper's mix draws from (paper §4.3.1, Table 2). */
export const THREE_STRATEGIES: readonly MaskStrategy[] = ['random-block', 'sequential-block', 'block'];

/** Paper letters: E execution, A analysis (text block), C code. Canonical form of an order. */
export const BLOCK_ORDERS = ['EAC', 'ECA', 'AEC', 'ACE', 'CEA', 'CAE'] as const;
export type BlockOrder = (typeof BLOCK_ORDERS)[number];
const PAPER_TO_OFFICIAL: Record<string, string> = { E: 'e', A: 't', C: 'c' };
const OFFICIAL_TO_PAPER: Record<string, string> = { e: 'E', t: 'A', c: 'C' };

/** An order written in the paper's letters (EAC) or the official code's (`etc`, `tce`) → paper letters. */
export function parseBlockOrder(s: string): BlockOrder {
  const t = s.trim();
  if ((BLOCK_ORDERS as readonly string[]).includes(t)) return t as BlockOrder;
  if (/^[etc]{3}$/.test(t)) {
    const paper = t
      .split('')
      .map((l) => OFFICIAL_TO_PAPER[l])
      .join('');
    if ((BLOCK_ORDERS as readonly string[]).includes(paper)) return paper as BlockOrder;
  }
  throw new ConfigError(
    `unknown block order "${s}" (expected the paper's letters ${BLOCK_ORDERS.join(', ')} or the official code's ${BLOCK_ORDERS.map(officialOrder).join(', ')})`,
  );
}

/** The official code's letters for an order: EAC → etc, ACE → tce. */
export function officialOrder(o: BlockOrder): string {
  return o
    .split('')
    .map((l) => PAPER_TO_OFFICIAL[l])
    .join('');
}

/** How an order is shown everywhere: both spellings, e.g. "ACE (tce)". */
export function showOrder(o: BlockOrder): string {
  return `${o} (${officialOrder(o)})`;
}

/** An accepted strategy spelling → the strategy name. */
export function parseMaskStrategy(s: string): MaskStrategy {
  if ((MASK_STRATEGIES as readonly string[]).includes(s)) return s as MaskStrategy;
  const alias = MASK_STRATEGY_ALIASES[s];
  if (alias) return alias;
  throw new ConfigError(`unknown mask strategy "${s}" (expected one of ${MASK_STRATEGIES.join(', ')})`);
}

export type MaskConvention = 'official' | 'per-term';

export interface MaskOptions {
  strategy: MaskStrategy;
  order: BlockOrder;
}
export const DEFAULT_MASK_OPTIONS: MaskOptions = { strategy: 'block', order: 'EAC' };

/** Paper Table 2 ablations, as switches. */
export interface AblationOptions {
  /** "w/o dynamic mask": strategy forced to `all` (vanilla distillation). */
  withoutDynamicMask: boolean;
  /** "w/o distillation": no student rows; reflection records train with the teacher CE only. */
  withoutDistillation: boolean;
  /** "w/o reflection data": reflection records are left out; instruction data only. */
  withoutReflectionData: boolean;
}
export const NO_ABLATION: AblationOptions = {
  withoutDynamicMask: false,
  withoutDistillation: false,
  withoutReflectionData: false,
};

const LETTER_TYPE: Record<string, BlockType> = { E: 'execution', A: 'text', C: 'code' };

/** mask rate = (step + 1) / totalSteps, step 0-based (official: (global_step + 1) / max_steps, trainer.py:175–177). */
export function maskRate(step: number, totalSteps: number): number {
  if (!Number.isInteger(totalSteps) || totalSteps < 1)
    throw new ConfigError(`totalSteps must be an integer >= 1, found ${totalSteps}`);
  if (!Number.isInteger(step) || step < 0 || step >= totalSteps) {
    throw new ConfigError(`step must be an integer in [0, ${totalSteps - 1}], found ${step}`);
  }
  return (step + 1) / totalSteps;
}

/** The strategy actually used once the "w/o dynamic mask" switch is applied. */
export function effectiveMaskOptions(opts: MaskOptions, ablation: AblationOptions): MaskOptions {
  return ablation.withoutDynamicMask ? { ...opts, strategy: 'all' } : opts;
}

function isAlwaysHidden(a: TokenAnnotation): boolean {
  return (
    a.segment === 'bos' ||
    a.segment.startsWith('reflection_instruction') ||
    a.segment === 'reflection_sequence:header' ||
    a.segment === 'reflection_sequence:end'
  );
}

const isReflectionBlockToken = (a: TokenAnnotation): boolean => a.segment === 'reflection_sequence';

/**
 * Block types hidden by the `block` strategy (trainer.py:125–144): the first type of the order
 * always (the rate is > 0 in training), the second from rate >= 0.33 (per-term: 1/3), the third from
 * rate >= 0.67 (per-term: 2/3).
 */
export function hiddenBlockTypes(
  order: BlockOrder,
  rate: number,
  convention: MaskConvention = 'official',
): BlockType[] {
  const types = order.split('').map((l) => LETTER_TYPE[l]!);
  const eps = 1e-12; // per-term: rate is (step+1)/total; 2/6 and 1/3 round identically, eps only guards other callers
  const [t1, t2] = convention === 'official' ? [0.33, 0.67] : [1 / 3 - eps, 2 / 3 - eps];
  const out: BlockType[] = [];
  if (convention === 'official' || rate > 0) out.push(types[0]!);
  if (rate >= t1) out.push(types[1]!);
  if (rate >= t2) out.push(types[2]!);
  return out;
}

/** How many of n items a rate hides: math.ceil officially (trainer.py:78, 88, 98, 114), floor per-term. */
export function maskCount(n: number, rate: number, convention: MaskConvention): number {
  // Official: the same IEEE product as Python's `num * mask_rate`, so 0.3 · 10 = 3.0000000000000004 → 4 there and here.
  return convention === 'official' ? Math.min(n, Math.ceil(n * rate)) : Math.floor(rate * n + 1e-9);
}

/** k distinct indices of [0, n) chosen uniformly (partial Fisher–Yates), sorted. */
function sampleIndices(n: number, k: number, rng: Rng): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(n - i);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a.slice(0, k).sort((x, y) => x - y);
}

function needRng(strategy: string, rng?: Rng): Rng {
  if (!rng) throw new ConfigError(`mask strategy "${strategy}" needs a seeded Rng`);
  return rng;
}

/**
 * Student key visibility for one reflection record (true = the student may attend to that key).
 * `rng` is required by the random strategies and the three-strategy mix (which draws the strategy
 * first, as MaskCollator.mask draws one of its mask functions per sample). Generation records have no
 * student row: error.
 */
export function studentVisibility(
  enc: EncodedRecord,
  opts: MaskOptions,
  rate: number,
  rng?: Rng,
  convention: MaskConvention = 'official',
): boolean[] {
  if (enc.type !== 'reflection') throw new ConfigError('studentVisibility: only reflection records have a student row');
  if (!(rate >= 0 && rate <= 1)) throw new ConfigError(`mask rate must be in [0, 1], found ${rate}`);
  if (!(BLOCK_ORDERS as readonly string[]).includes(opts.order)) {
    throw new ConfigError(`unknown block order "${opts.order}" (expected one of ${BLOCK_ORDERS.join(', ')})`);
  }
  let strategy = opts.strategy;
  if (strategy === 'three-strategies')
    strategy = THREE_STRATEGIES[needRng(strategy, rng).int(THREE_STRATEGIES.length)]!;
  const ann = enc.annotation;
  const visible = ann.map((a) => !isAlwaysHidden(a));
  // Reflection-sequence blocks, in order, and the token positions inside them.
  const blockType: BlockType[] = [];
  const reflTokens: number[] = [];
  ann.forEach((a, i) => {
    if (!isReflectionBlockToken(a)) return;
    reflTokens.push(i);
    blockType[a.block] = a.block_type!;
  });
  const nBlocks = blockType.length;
  let hideBlock: (b: number) => boolean = () => false;
  let hideToken: ((pos: number) => boolean) | null = null;
  switch (strategy) {
    case 'none':
      break;
    case 'all':
      hideBlock = () => true;
      break;
    case 'block': {
      const hidden = new Set(hiddenBlockTypes(opts.order, rate, convention));
      hideBlock = (b) => hidden.has(blockType[b]!);
      break;
    }
    case 'sequential-block': {
      const k = maskCount(nBlocks, rate, convention);
      hideBlock = (b) => b < k;
      break;
    }
    case 'random-block': {
      const chosen = new Set(sampleIndices(nBlocks, maskCount(nBlocks, rate, convention), needRng(strategy, rng)));
      hideBlock = (b) => chosen.has(b);
      break;
    }
    case 'sequential-token': {
      const chosen = new Set(reflTokens.slice(0, maskCount(reflTokens.length, rate, convention)));
      hideToken = (p) => chosen.has(p);
      break;
    }
    case 'random-token': {
      const k = maskCount(reflTokens.length, rate, convention);
      const chosen = new Set(sampleIndices(reflTokens.length, k, needRng(strategy, rng)).map((j) => reflTokens[j]!));
      hideToken = (p) => chosen.has(p);
      break;
    }
    default:
      throw new ConfigError(
        `unknown mask strategy "${String(opts.strategy)}" (expected one of ${MASK_STRATEGIES.join(', ')})`,
      );
  }
  for (const i of reflTokens) {
    if (hideBlock(ann[i]!.block) || (hideToken !== null && hideToken(i))) visible[i] = false;
  }
  return visible;
}
