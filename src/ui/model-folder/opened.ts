/**
 * The page's one pretrained-model worker and what it holds. The weights of an opened Hugging Face folder live in
 * that worker only: the model-folder panel opens and fine-tunes through it, and the Evaluate panel lists the
 * opened model next to trained checkpoints and asks the SAME worker for HumanEval answers (nothing is copied
 * between workers). Panels learn about a newly opened or fine-tuned model from `onOpenedModelChanged`.
 */
import type * as Comlink from 'comlink';
import type { BackendPreference } from '../../api/backend.ts';
import type { OpenedModelInfo, PretrainedApi } from '../../api/pretrained.ts';
import { createWorkerBridge } from '../bridge.ts';

const CHANGED = 'rcw:opened-model-changed';
let current: OpenedModelInfo | null = null;
const errorListeners = new Set<(message: string) => void>();

const bridge = createWorkerBridge<PretrainedApi>(
  () =>
    new Worker(new URL('../../../workers/pretrained.worker.ts', import.meta.url), {
      type: 'module',
      name: 'pretrained',
    }),
  {
    onError: (m) => {
      if (!bridge.running) setOpenedModel(null); // the worker is gone, and its model with it
      for (const l of errorListeners) l(m);
    },
  },
);
let ready: Promise<Comlink.Remote<PretrainedApi>> | null = null;

/** The worker's API, started (on the given backend preference) by the first caller. */
export function pretrainedWorker(pref: BackendPreference): Promise<Comlink.Remote<PretrainedApi>> {
  ready ??= (async () => {
    const w = await bridge.get();
    await w.setBackend(pref);
    return w;
  })();
  ready.catch(() => (ready = null));
  return ready;
}

export function onPretrainedWorkerError(listener: (message: string) => void): () => void {
  errorListeners.add(listener);
  return () => errorListeners.delete(listener);
}

/** What the worker holds now (null: nothing opened). */
export function openedModel(): OpenedModelInfo | null {
  return current;
}

export function setOpenedModel(info: OpenedModelInfo | null): void {
  current = info;
  window.dispatchEvent(new Event(CHANGED));
}

export function onOpenedModelChanged(listener: () => void): () => void {
  window.addEventListener(CHANGED, listener);
  return () => window.removeEventListener(CHANGED, listener);
}

const STYLE_TEXT = {
  reflection: 'paper prompt',
  chat: 'chat template',
  completion: 'plain completion',
} as const;

/** One line naming the model, its size, how HumanEval asks it and its fine-tuned state. */
export function openedModelLabel(info: OpenedModelInfo): string {
  const style = info.promptStyle ? STYLE_TEXT[info.promptStyle] : 'no tokenizer';
  const tuned = info.finetuned ? `, LoRA fine-tuned ${info.finetuned.steps} steps` : '';
  return `${info.label} — ${info.arch}, ${(info.params / 1e6).toFixed(2)}M params, ${style}${tuned}`;
}
