/**
 * The local model as a reflection generator: a trainer worker of this panel's own loads a saved checkpoint
 * (from the same IndexedDB store the Train panel writes) and generates block by block (localGenerator).
 * The worker starts only when the user picks this generator.
 */
import type { ReflectionGenerator } from '../../api/reflect.ts';
import type { TrainerApi } from '../../api/trainer.ts';
import { localGenerator } from '../../core/reflect/generators.ts';
import { createWorkerBridge } from '../bridge.ts';
import type { AppContext } from '../context.ts';

export interface LocalModelSource {
  list(): Promise<{ id: string; name: string }[]>;
  generator(checkpointId: string, opts: { maxNewTokens: number; temperature: number }): Promise<ReflectionGenerator>;
}

export function localModelSource(ctx: AppContext): LocalModelSource {
  const bridge = createWorkerBridge<TrainerApi>(
    () =>
      new Worker(new URL('../../../workers/trainer.worker.ts', import.meta.url), {
        type: 'module',
        name: 'trainer-reflect',
      }),
    { onError: (m) => ctx.status.setMessage(`Local model worker failed: ${m}`, 'error') },
  );
  let backendSet = false;
  let loadedId: string | null = null;
  const trainer = async () => {
    const t = await bridge.get();
    if (!backendSet) {
      await t.setBackend(ctx.backendPreference);
      backendSet = true;
    }
    return t;
  };
  return {
    async list() {
      const metas = await (await trainer()).listCheckpoints();
      return metas.map((m) => ({ id: m.id, name: `${m.name} (step ${m.step}/${m.totalSteps}, ${m.preset})` }));
    },
    async generator(id, opts) {
      const t = await trainer();
      if (loadedId !== id) {
        await t.load(id);
        loadedId = id;
      }
      return localGenerator(
        (prompt, o) => t.generate(prompt, { maxNewTokens: o.maxNewTokens, temperature: o.temperature }),
        {
          maxNewTokens: opts.maxNewTokens,
          temperature: opts.temperature,
          name: `local model (${id})`,
        },
      );
    },
  };
}
