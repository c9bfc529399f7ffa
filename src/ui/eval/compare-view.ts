/** "Compare two runs": pick two saved runs (e.g. base vs fine-tuned); pass@1 of each and the per-task differences. */
import type { SampleResult } from '../../api/eval.ts';
import type { EvalRunMeta } from '../../api/eval.ts';
import { h } from '../dom.ts';
import { compareRuns, type TaskOutcome } from './compare.ts';

export interface CompareActions {
  samples(id: string): Promise<SampleResult[]>;
  onError(message: string): void;
}

const outcome = (o: TaskOutcome | null): string => (o ? `${o.passed}/${o.total} passed` : 'not in this run');

export function runLabel(r: EvalRunMeta): string {
  const what =
    r.summary.mode === 'canonical'
      ? 'canonical solutions'
      : `${r.checkpoint?.name ?? 'model'} (step ${r.checkpoint?.step ?? '?'})`;
  return `${new Date(r.savedAt).toLocaleString()} · ${what} · ${r.problems.fileName} (${r.summary.problems})`;
}

export class CompareView {
  readonly root: HTMLElement;
  private readonly a = h('select', { testid: 'compare-a', 'aria-label': 'Run A' });
  private readonly b = h('select', { testid: 'compare-b', 'aria-label': 'Run B' });
  private readonly out = h('div', { class: 'eval-compare-out', testid: 'compare-result', 'aria-live': 'polite' });
  private readonly button = h('button', { type: 'button', testid: 'compare-run' }, 'Compare');

  private picked = false;

  constructor(private readonly actions: CompareActions) {
    for (const sel of [this.a, this.b]) sel.addEventListener('change', () => (this.picked = true));
    this.button.addEventListener('click', () => void this.compare());
    this.root = h(
      'section',
      { class: 'eval-compare', 'aria-label': 'Compare two runs' },
      h('h3', {}, 'Compare two runs'),
      h(
        'p',
        { class: 'eval-muted' },
        'For example the base model (A) against the fine-tuned one (B) on the same problems.',
      ),
      h(
        'div',
        { class: 'eval-row' },
        h('label', { class: 'eval-field' }, 'A ', this.a),
        h('label', { class: 'eval-field' }, 'B ', this.b),
        this.button,
      ),
      this.out,
    );
    this.setRuns([]);
  }

  /** Lists the runs (newest first). Until the user picks, A is the second newest run and B the newest. */
  setRuns(runs: EvalRunMeta[]): void {
    const keep = [this.a.value, this.b.value];
    const opts = (): HTMLOptionElement[] => runs.map((r) => new Option(runLabel(r), r.id));
    this.a.replaceChildren(...opts());
    this.b.replaceChildren(...opts());
    const has = (id: string): boolean => runs.some((r) => r.id === id);
    this.a.value = this.picked && has(keep[0]) ? keep[0] : (runs[1]?.id ?? runs[0]?.id ?? '');
    this.b.value = this.picked && has(keep[1]) ? keep[1] : (runs[0]?.id ?? '');
    this.root.hidden = runs.length < 2;
  }

  private async compare(): Promise<void> {
    if (!this.a.value || !this.b.value) return;
    try {
      const [sa, sb] = await Promise.all([this.actions.samples(this.a.value), this.actions.samples(this.b.value)]);
      const c = compareRuns(sa, sb);
      const pct = (x: number): string => x.toFixed(3);
      const rows = c.rows.map((r) =>
        h(
          'tr',
          { class: r.delta === null ? '' : r.delta > 0 ? 'eval-pass' : 'eval-fail', testid: 'compare-row' },
          h('td', {}, r.task_id),
          h('td', {}, outcome(r.a)),
          h('td', {}, outcome(r.b)),
          h('td', { class: 'eval-verdict' }, r.delta === null ? '–' : r.delta > 0 ? 'B better' : 'A better'),
        ),
      );
      this.out.replaceChildren(
        h(
          'p',
          { testid: 'compare-summary' },
          h('strong', {}, `pass@1: A ${pct(c.passAt1A)} · B ${pct(c.passAt1B)}`),
          ` over ${c.common} common task(s): B better on ${c.better}, A better on ${c.worse}, same on ${c.same}.`,
        ),
        rows.length
          ? h(
              'div',
              { class: 'eval-table-wrap' },
              h(
                'table',
                { class: 'eval-table' },
                h(
                  'thead',
                  {},
                  h('tr', {}, h('th', {}, 'Task'), h('th', {}, 'A'), h('th', {}, 'B'), h('th', {}, 'Difference')),
                ),
                h('tbody', {}, ...rows),
              ),
            )
          : h('p', { class: 'eval-muted' }, 'No task differs.'),
      );
    } catch (e) {
      this.actions.onError((e as Error).message);
    }
  }
}
