/** Saved evaluation runs (IndexedDB): one line each with pass@k, and Show / Delete. */
import type { EvalRunMeta } from '../../api/eval.ts';
import { h } from '../dom.ts';
import { formatPassAtK } from './results-view.ts';

export interface RunsActions {
  list(): Promise<EvalRunMeta[]>;
  show(id: string): void;
  remove(id: string): Promise<void>;
  onError(message: string): void;
}

export class RunsView {
  readonly root: HTMLElement;
  private readonly list = h('ul', { class: 'eval-runs', testid: 'eval-runs' });

  constructor(private readonly actions: RunsActions) {
    this.root = h('section', { class: 'eval-runs-section' }, h('h3', {}, 'Saved runs'), this.list);
  }

  async refresh(): Promise<void> {
    let runs: EvalRunMeta[];
    try {
      runs = await this.actions.list();
    } catch (e) {
      this.actions.onError((e as Error).message);
      return;
    }
    if (!runs.length) {
      this.list.replaceChildren(
        h('li', { class: 'eval-muted' }, 'No saved runs yet: every finished run is kept here.'),
      );
      return;
    }
    this.list.replaceChildren(
      ...runs.map((r) => {
        const show = h('button', { type: 'button' }, 'Show');
        show.addEventListener('click', () => this.actions.show(r.id));
        const del = h('button', { type: 'button' }, 'Delete');
        del.addEventListener('click', async () => {
          await this.actions.remove(r.id).catch((e: Error) => this.actions.onError(e.message));
          await this.refresh();
        });
        const what =
          r.summary.mode === 'canonical'
            ? 'canonical solutions'
            : `${r.checkpoint?.name ?? '?'} (step ${r.checkpoint?.step ?? '?'})`;
        const when = new Date(r.savedAt).toLocaleString();
        return h(
          'li',
          { testid: 'eval-saved-run' },
          h(
            'span',
            { class: 'eval-run-text' },
            `${when} — ${what} on ${r.problems.fileName}: ${formatPassAtK(r.summary.passAtK)} (${r.summary.passed}/${r.summary.total})${r.partial ? ', stopped early' : ''}`,
          ),
          show,
          del,
        );
      }),
    );
  }
}
