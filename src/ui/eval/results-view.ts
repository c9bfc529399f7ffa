/** The results of one evaluation: progress, pass@k, and a table of verdicts whose rows expand to the completion. */
import type { EvalSummary, SampleResult } from '../../api/eval.ts';
import { h } from '../dom.ts';
import { compareTaskIds } from './compare.ts';
import { failureReason, postprocessNote, tracebackTail } from './reasons.ts';

export function formatPassAtK(passAtK: Record<string, number>): string {
  const keys = Object.keys(passAtK);
  return keys.length ? keys.map((k) => `${k} = ${passAtK[k].toFixed(3)}`).join(' · ') : 'pass@k: –';
}

function verdictClass(s: SampleResult): string {
  if (s.passed) return 'eval-pass';
  return s.result === 'timed out' ? 'eval-timeout' : 'eval-fail';
}

export class ResultsView {
  readonly root: HTMLElement;
  private readonly progressBar = h('progress', { max: 1, value: 0, testid: 'eval-progress-bar' });
  private readonly progressText = h('span', { testid: 'eval-progress' });
  private readonly summary = h('div', { class: 'eval-summary', testid: 'eval-summary', 'aria-live': 'polite' });
  private readonly body = h('tbody');
  private readonly table: HTMLTableElement;
  private samples: SampleResult[] = [];

  constructor(
    private readonly actions: {
      exportSamples(samples: SampleResult[]): void;
      exportResults(samples: SampleResult[]): void;
    },
  ) {
    this.table = h(
      'table',
      { class: 'eval-table', testid: 'eval-results' },
      h(
        'colgroup',
        {},
        ...['eval-col-task', 'eval-col-n', 'eval-col-verdict', 'eval-col-time', 'eval-col-time'].map((c) =>
          h('col', { class: c }),
        ),
      ),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, 'Task'),
          h('th', {}, '#'),
          h('th', {}, 'Verdict'),
          h('th', {}, 'Check'),
          h('th', {}, 'Generate'),
        ),
      ),
      this.body,
    );
    const exportSamples = h('button', { type: 'button', testid: 'eval-export-samples' }, 'Export samples.jsonl');
    const exportResults = h('button', { type: 'button', testid: 'eval-export-results' }, 'Export _results.jsonl');
    exportSamples.addEventListener('click', () => this.actions.exportSamples(this.samples));
    exportResults.addEventListener('click', () => this.actions.exportResults(this.samples));
    this.root = h(
      'section',
      { class: 'eval-results' },
      h('div', { class: 'eval-progress-row' }, this.progressBar, this.progressText),
      this.summary,
      h('div', { class: 'eval-export' }, exportSamples, exportResults),
      this.table,
    );
    this.clear();
  }

  clear(): void {
    this.samples = [];
    this.body.replaceChildren();
    this.progressBar.value = 0;
    this.progressText.textContent = 'No run yet.';
    this.summary.textContent = '';
    this.root.classList.add('eval-empty');
  }

  start(total: number, label: string): void {
    this.clear();
    this.root.classList.remove('eval-empty');
    this.progressBar.max = total;
    this.progressText.textContent = `${label}: 0 / ${total}`;
  }

  status(text: string): void {
    this.progressText.textContent = text;
  }

  add(sample: SampleResult, done: number, total: number): void {
    this.samples.push(sample);
    this.progressBar.value = done;
    this.progressText.textContent = `${done} / ${total} checked`;
    this.appendRow(sample);
  }

  /** Shows a finished (or stored) run. */
  show(summary: EvalSummary, samples: SampleResult[], title: string): void {
    if (this.samples !== samples) {
      // Checks finish out of order (a pool of hosts): the finished table is in task order.
      this.clear();
      this.root.classList.remove('eval-empty');
      this.samples = [...samples].sort(
        (a, b) => compareTaskIds(a.task_id, b.task_id) || a.completion_id - b.completion_id,
      );
      for (const s of this.samples) this.appendRow(s);
    }
    this.progressBar.max = Math.max(1, summary.total);
    this.progressBar.value = summary.total;
    this.progressText.textContent = title;
    const mode =
      summary.mode === 'canonical' ? 'canonical solutions' : `${summary.samplesPerProblem} sample(s) per problem`;
    this.summary.replaceChildren(
      h('strong', { testid: 'eval-passk' }, formatPassAtK(summary.passAtK)),
      ` — ${summary.passed} / ${summary.total} passed, ${summary.problems} problem(s), ${mode}, ${summary.elapsedSec.toFixed(1)} s`,
    );
  }

  private appendRow(s: SampleResult): void {
    const toggle = h(
      'button',
      {
        type: 'button',
        class: 'eval-expand',
        'aria-expanded': 'false',
        title: 'Show why, the traceback and the completion',
      },
      s.task_id,
    );
    const reason = failureReason(s);
    const note = postprocessNote(s);
    const row = h(
      'tr',
      { class: verdictClass(s), testid: 'eval-row' },
      h('td', {}, toggle),
      h('td', {}, String(s.completion_id)),
      h(
        'td',
        { class: 'eval-verdict' },
        h('span', { testid: 'eval-verdict' }, s.result),
        reason ? h('span', { class: 'eval-reason', testid: 'eval-reason' }, reason) : '',
      ),
      h('td', {}, `${s.checkMs.toFixed(0)} ms`),
      h('td', {}, s.generateMs ? `${(s.generateMs / 1000).toFixed(1)} s` : '–'),
    );
    const parts: (Node | string)[] = [];
    if (reason)
      parts.push(
        h('div', { class: 'eval-label' }, 'Why it did not pass'),
        h('p', { class: 'eval-why', testid: 'eval-why' }, reason),
      );
    if (s.detail && !s.passed)
      parts.push(
        h('div', { class: 'eval-label' }, 'Traceback (last lines)'),
        h('pre', { testid: 'eval-traceback-tail' }, tracebackTail(s.detail, 4)),
      );
    if (note)
      parts.push(
        h('div', { class: 'eval-label' }, 'Post-processing'),
        h('p', { class: 'eval-why', testid: 'eval-postprocess' }, note),
      );
    parts.push(
      h('div', { class: 'eval-label' }, 'Completion (checked as prompt + completion + test)'),
      h('pre', {}, s.completion || '(empty)'),
    );
    if (s.raw && s.raw !== s.completion)
      parts.push(h('div', { class: 'eval-label' }, 'Raw model output'), h('pre', {}, s.raw));
    if (s.detail) parts.push(h('div', { class: 'eval-label' }, 'Full detail'), h('pre', {}, s.detail));
    const detail = h('tr', { class: 'eval-detail', hidden: true }, h('td', { colspan: 5 }, ...parts));
    toggle.addEventListener('click', () => {
      detail.hidden = !detail.hidden;
      toggle.setAttribute('aria-expanded', String(!detail.hidden));
    });
    this.body.append(row, detail);
  }
}
