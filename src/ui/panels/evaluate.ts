/** Evaluate panel: HumanEval in the browser — generate, check in Pyodide, pass@k, saved runs (src/ui/eval/). */
import type { AppContext } from '../context.ts';
import { mountEvaluate } from '../eval/panel.ts';

export function mountEvaluatePanel(root: HTMLElement, ctx: AppContext): void {
  mountEvaluate(root, ctx);
}
