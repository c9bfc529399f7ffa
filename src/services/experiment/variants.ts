/**
 * The ablation variants (paper Table 2, and optionally Table 3's mask strategies / block orders). Each is a
 * change of the training config on top of the preset's — nothing else differs between variants: same records,
 * tokenizer, seeds, optimizer steps, learning-rate schedule and evaluation.
 */
import type { TrainConfig } from '../../core/train/config.ts';
import { NO_ABLATION } from '../../core/distill/masks.ts';
import { UsageError } from '../../core/errors.ts';

export interface Variant {
  name: string;
  /** What the variant changes, for the table. */
  label: string;
  train: Pick<TrainConfig, 'mask' | 'ablation'>;
}

const block = { strategy: 'block', order: 'EAC' } as const;

export const TABLE2_VARIANTS: Variant[] = [
  {
    name: 'reflectioncoder',
    label: 'ReflectionCoder (block mask, E-A-C)',
    train: { mask: block, ablation: { ...NO_ABLATION } },
  },
  {
    name: 'no-dynamic-mask',
    label: 'w/o dynamic mask (all-mask from step 1)',
    train: { mask: block, ablation: { ...NO_ABLATION, withoutDynamicMask: true } },
  },
  {
    name: 'no-distillation',
    label: 'w/o distillation (next-token on reflection records)',
    train: { mask: block, ablation: { ...NO_ABLATION, withoutDistillation: true } },
  },
  {
    name: 'no-reflection-data',
    label: 'w/o reflection data (instruction records only)',
    train: { mask: block, ablation: { ...NO_ABLATION, withoutReflectionData: true } },
  },
];

/** Optional: Table 3 block orders and the other mask strategies, all else as ReflectionCoder. */
export const EXTRA_VARIANTS: Variant[] = [
  ...(['ECA', 'AEC', 'ACE', 'CEA', 'CAE'] as const).map((order): Variant => ({
    name: `order-${order}`,
    label: `block mask, order ${order.split('').join('-')}`,
    train: { mask: { strategy: 'block', order }, ablation: { ...NO_ABLATION } },
  })),
  ...(['sequential-block', 'random-block', 'three-strategies'] as const).map((strategy): Variant => ({
    name: `mask-${strategy}`,
    label: `${strategy} mask`,
    train: { mask: { strategy, order: 'EAC' }, ablation: { ...NO_ABLATION } },
  })),
];

export const ALL_VARIANTS = [...TABLE2_VARIANTS, ...EXTRA_VARIANTS];

export function variantsByName(names: readonly string[]): Variant[] {
  return names.map((n) => {
    const v = ALL_VARIANTS.find((x) => x.name === n);
    if (!v)
      throw new UsageError(`unknown variant "${n}"; expected one of ${ALL_VARIANTS.map((x) => x.name).join(', ')}`);
    return v;
  });
}

/** Table rows in order: the trained variants, then the untrained model and the reference solutions. */
export function rowOrder(variants: readonly Variant[]): { name: string; label: string }[] {
  return [
    ...variants.map((v) => ({ name: v.name, label: v.label })),
    { name: 'untrained', label: 'untrained model' },
    { name: 'reference', label: 'reference solutions' },
  ];
}
