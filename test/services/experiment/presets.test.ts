/** Every preset × variant is a valid run config, and variants differ from ReflectionCoder only in the switch under test. */
import { describe, expect, it } from 'vitest';
import { EXPERIMENT_PRESETS } from '../../../src/services/experiment/presets.ts';
import { runConfigFor } from '../../../src/services/experiment/single-run.ts';
import { ALL_VARIANTS, TABLE2_VARIANTS } from '../../../src/services/experiment/variants.ts';

describe('experiment presets and variants', () => {
  it('builds valid run configs that differ only in mask / ablation', () => {
    for (const preset of Object.values(EXPERIMENT_PRESETS)) {
      const base = runConfigFor(preset, TABLE2_VARIANTS[0]!, 3);
      expect(base.train.seed).toBe(3);
      expect(base.train.maxSteps).toBeGreaterThan(0);
      for (const v of ALL_VARIANTS) {
        const c = runConfigFor(preset, v, 3);
        const strip = (x: typeof c) => ({ ...x, train: { ...x.train, mask: null, ablation: null } });
        expect(strip(c), `${preset.name} ${v.name}`).toEqual(strip(base));
      }
    }
    const ablations = TABLE2_VARIANTS.map((v) => runConfigFor(EXPERIMENT_PRESETS.demo, v, 0).train.ablation);
    expect(ablations.map((a) => Object.values(a).filter(Boolean).length)).toEqual([0, 1, 1, 1]);
  });
});
