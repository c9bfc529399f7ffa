/**
 * Dynamically masked distillation (METHOD.md §4): which keys of a reflection record the student row
 * may attend to at a given mask rate. Always hidden (METHOD.md §3): BOS, the whole reflection
 * instruction, the reflection sequence's <|assistant|> header and its <|endofmessage|>. The schedule
 * hides more of the reflection sequence as the rate grows from 1/total to 1.
 */
import { ConfigError } from '../errors.ts';
import type { Rng } from '../rng.ts';
import type { BlockType } from '../records/schema.ts';
import type { EncodedRecord, TokenAnnotation } from '../records/serialize.ts';

export const MASK_STRATEGIES = ['block', 'sequential', 'random', 'random-token', 'sequential-token', 'all', 'none'] as const;
export type MaskStrategy = (typeof MASK_STRATEGIES)[number];
/** Letters: E execution, A analysis (text block), C code. Default EAC. */
export const BLOCK_ORDERS = ['EAC', 'ECA', 'AEC', 'ACE', 'CEA', 'CAE'] as const;
export type BlockOrder = (typeof BLOCK_ORDERS)[number];

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
export const NO_ABLATION: AblationOptions = { withoutDynamicMask: false, withoutDistillation: false, withoutReflectionData: false };

const LETTER_TYPE: Record<string, BlockType> = { E: 'execution', A: 'text', C: 'code' };

/** mask rate = (step + 1) / totalSteps, step 0-based. */
export function maskRate(step: number, totalSteps: number): number {
  if (!Number.isInteger(totalSteps) || totalSteps < 1) throw new ConfigError(`totalSteps must be an integer >= 1, found ${totalSteps}`);
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

/** Block types hidden by the `block` strategy: the k-th type of the order from rate >= k/3 (first from rate > 0). */
export function hiddenBlockTypes(order: BlockOrder, rate: number): BlockType[] {
  const types = order.split('').map((l) => LETTER_TYPE[l]!);
  const eps = 1e-12; // rate is (step+1)/total; 2/6 and 1/3 round identically, eps only guards other callers
  const out: BlockType[] = [];
  if (rate > 0) out.push(types[0]!);
  if (rate >= 1 / 3 - eps) out.push(types[1]!);
  if (rate >= 2 / 3 - eps) out.push(types[2]!);
  return out;
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

/**
 * Student key visibility for one reflection record (true = the student may attend to that key).
 * `rng` is required by the random strategies. Generation records have no student row: error.
 */
export function studentVisibility(enc: EncodedRecord, opts: MaskOptions, rate: number, rng?: Rng): boolean[] {
  if (enc.type !== 'reflection') throw new ConfigError('studentVisibility: only reflection records have a student row');
  if (!(rate >= 0 && rate <= 1)) throw new ConfigError(`mask rate must be in [0, 1], found ${rate}`);
  if (!(BLOCK_ORDERS as readonly string[]).includes(opts.order)) {
    throw new ConfigError(`unknown block order "${opts.order}" (expected one of ${BLOCK_ORDERS.join(', ')})`);
  }
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
  let hideBlock: (b: number) => boolean;
  let hideToken: ((pos: number) => boolean) | null = null;
  switch (opts.strategy) {
    case 'none':
      hideBlock = () => false;
      break;
    case 'all':
      hideBlock = () => true;
      break;
    case 'block': {
      const hidden = new Set(hiddenBlockTypes(opts.order, rate));
      hideBlock = (b) => hidden.has(blockType[b]!);
      break;
    }
    case 'sequential': {
      const k = Math.floor(rate * nBlocks + 1e-9);
      hideBlock = (b) => b < k;
      break;
    }
    case 'random': {
      if (!rng) throw new ConfigError('mask strategy "random" needs a seeded Rng');
      const chosen = new Set(sampleIndices(nBlocks, Math.floor(rate * nBlocks + 1e-9), rng));
      hideBlock = (b) => chosen.has(b);
      break;
    }
    case 'sequential-token': {
      const k = Math.floor(rate * reflTokens.length + 1e-9);
      const chosen = new Set(reflTokens.slice(0, k));
      hideBlock = () => false;
      hideToken = (p) => chosen.has(p);
      break;
    }
    case 'random-token': {
      if (!rng) throw new ConfigError('mask strategy "random-token" needs a seeded Rng');
      const k = Math.floor(rate * reflTokens.length + 1e-9);
      const chosen = new Set(sampleIndices(reflTokens.length, k, rng).map((j) => reflTokens[j]!));
      hideBlock = () => false;
      hideToken = (p) => chosen.has(p);
      break;
    }
    default:
      throw new ConfigError(`unknown mask strategy "${String(opts.strategy)}" (expected one of ${MASK_STRATEGIES.join(', ')})`);
  }
  for (const i of reflTokens) {
    if (hideBlock(ann[i]!.block) || (hideToken !== null && hideToken(i))) visible[i] = false;
  }
  return visible;
}
