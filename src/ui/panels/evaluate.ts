/** Evaluate panel (the evaluation helper replaces this body; keep the signature). */
import type { AppContext } from '../context.ts';
import { renderEmptyState } from '../empty-state.ts';

export function mountEvaluatePanel(root: HTMLElement, ctx: AppContext): void {
  renderEmptyState(root, {
    title: 'Evaluate',
    body: [
      'Run HumanEval in the browser: the model completes each problem (greedy for pass@1), Pyodide runs the ' +
        "problem's check() on every completion with a 3 s limit, and the panel reports pass@k with each verdict.",
      'Nothing leaves this machine: the model, the interpreter and the problems are all served from this page.',
    ],
    steps: ['Choose a trained model.', 'Load HumanEval problems (JSONL).', 'Run, then inspect failures one by one.'],
  });
}
