/** Reflect panel (the PYTHON helper replaces this body; keep the signature). */
import type { AppContext } from '../context.ts';
import { renderEmptyState } from '../empty-state.ts';

export function mountReflectPanel(root: HTMLElement, ctx: AppContext): void {
  ctx.setPyodideState('not started');
  renderEmptyState(root, {
    title: 'Reflect',
    body: [
      'Step through a reflection sequence: the model writes code, Pyodide runs it in a worker, the execution ' +
        'result goes back to the model, and it analyses the failure and tries again; then it re-answers with the final code.',
    ],
  });
}
