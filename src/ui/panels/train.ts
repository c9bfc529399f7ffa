/** Train panel (the TRAIN-APP helper replaces this body; keep the signature). */
import type { AppContext } from '../context.ts';
import { renderEmptyState } from '../empty-state.ts';

export function mountTrainPanel(root: HTMLElement, ctx: AppContext): void {
  renderEmptyState(root, {
    title: 'Train',
    body: [
      'Fine-tune a small Llama-architecture model on reflection sequences with reflection self-distillation: ' +
        'the teacher reads the whole record (code, execution, analysis), the student sees the same tokens with ' +
        'reflection blocks hidden by the dynamic mask, and learns to re-answer in one go.',
      `Training runs in a Web Worker on the backend shown in the status bar (preference: ${ctx.backendPreference}).`,
    ],
  });
}
