/**
 * Reflect panel: step through reflection records (built-in demo records or stored datasets) with the student
 * mask overlay, edit and run code blocks in a sandboxed Python session, and build new reflection sequences
 * live with a chat model (paper §3.1). Python (Pyodide) starts on the first run.
 */
import './reflect.css';
import type { ReflectOutcome } from '../../api/reflect.ts';
import type { ReflectionRecord } from '../../core/records/schema.ts';
import type { AppContext } from '../context.ts';
import { mountBuilderForm } from './builder-form.ts';
import { listDatasetChoices, loadReflectionRecords, saveBuiltRecords } from './datasets.ts';
import { hiddenChars, hiddenShares, mountMaskControls, TOKEN_STRATEGIES, type MaskSettings } from './mask-overlay.ts';
import { installReflectKeys, keysDialog } from './keys.ts';
import { h } from '../dom.ts';
import { createNotice } from '../notice.ts';
import { humanMessage } from '../messages.ts';
import { renderEmptyState } from '../empty-state.ts';
import { stripErrorPrefix as stripPrefix } from '../messages.ts';
import { localModelSource } from './local-model.ts';
import { pagePython } from './python.ts';
import { SequenceView } from './sequence-view.ts';

/** The problem a record answers (the re-answer instruction of a reflection record). */
function problemOf(r: ReflectionRecord): string {
  return r.messages[2]?.content[0]?.content ?? r.messages[0]?.content[0]?.content ?? '';
}

function recordTitle(r: ReflectionRecord, i: number): string {
  const problem = problemOf(r);
  const first = problem.split('\n').find((l) => l.trim()) ?? '';
  return `${i + 1}. ${first.length > 70 ? first.slice(0, 70) + '…' : first}`;
}

export function mountReflectPanel(root: HTMLElement, ctx: AppContext): void {
  // Creating the supervisor is cheap; the worker and Pyodide start on the first run.
  const py = pagePython(ctx);
  const python = () => py;
  let current: ReflectionRecord | null = null;
  let mask: MaskSettings | null = null;

  const datasetSel = h('select', { testid: 'reflect-dataset' });
  const recordSel = h('select', { testid: 'reflect-record' });
  const timeout = h('input', {
    type: 'number',
    min: 100,
    max: 60000,
    step: 100,
    value: 5000,
    testid: 'reflect-timeout',
    style: 'width: 7em',
  });
  // Messages about the sequence (dataset, runs, saving) appear under the toolbar.
  const notice = createNotice('reflect-notice');
  const resetSession = (): void =>
    void python()
      .resetSession()
      .then(
        () => notice.info('Python session reset: cells count from 1 again.'),
        (e) => notice.error(`The session could not be reset: ${humanMessage(e)}`),
      );
  const help = keysDialog();
  const toolbar = h(
    'div',
    { class: 'rc-toolbar' },
    h('label', {}, 'Dataset', datasetSel),
    h('label', {}, 'Record', recordSel),
    h('label', {}, 'Time limit (ms)', timeout),
    h('button', { type: 'button', onclick: resetSession }, 'Reset session'),
    h(
      'button',
      { type: 'button', title: 'Keyboard shortcuts', testid: 'reflect-keys-button', onclick: () => help.toggle() },
      'Keys (?)',
    ),
  );
  const timeoutMs = (): number => Math.max(100, Math.min(60_000, Number(timeout.value) || 5000));

  const view = new SequenceView({
    python,
    timeoutMs,
    onMessage: (t, k) => (k === 'error' ? notice.error(t) : notice.info(t)),
    loadEditor: async () => {
      const { createEditor } = await import('../monaco.ts');
      return (el: HTMLElement, value: string) => createEditor(el, value, { language: 'python' });
    },
  });
  const applyMask = (): void => {
    const tokens = mask && TOKEN_STRATEGIES.includes(mask.strategy);
    view.setHidden(
      current && mask ? hiddenShares(current, mask) : null,
      current && mask && tokens ? hiddenChars(current, mask) : null,
    );
  };

  // The problem the shown sequence works on, above the blocks.
  const problemText = h('div', { class: 'rc-problem-text' });
  const problemBox = h(
    'section',
    { class: 'rc-problem', testid: 'reflect-problem-statement', 'aria-label': 'Problem' },
    h('h3', {}, 'Problem'),
    problemText,
  );
  const showProblem = (text: string): void => {
    problemText.textContent = text || '(this record states no problem)';
  };
  // The final answer of a record (the kept re-answer), below the blocks.
  const answerText = h('pre');
  const answerBox = h(
    'section',
    { class: 'rc-answer', testid: 'reflect-final-answer', 'aria-label': 'Final answer' },
    h('h3', {}, 'Final answer (what the student learns to give in one go)'),
    answerText,
  );
  const showAnswer = (r: ReflectionRecord | null): void => {
    const text = r?.messages[3]?.content.map((b) => b.content).join('\n\n') ?? '';
    answerText.textContent = text;
    answerBox.hidden = !text;
  };

  const maskRoot = h('div');
  mountMaskControls(maskRoot, (s) => {
    mask = s;
    applyMask();
  });

  const outcomeEl = h('div', { class: 'rc-outcome', testid: 'reflect-outcome' });
  const save = h('button', { type: 'button', hidden: true }, 'Save record to "Reflections built here"');
  let built: ReflectOutcome | null = null;
  save.addEventListener('click', async () => {
    if (!built?.record) return;
    save.disabled = true;
    try {
      const n = await saveBuiltRecords([built.record]);
      notice.info(`Saved: "Reflections built here" now holds ${n} record${n === 1 ? '' : 's'}.`);
      await refreshDatasets(datasetSel.value);
      void ctx.status.refreshStorage();
    } catch (e) {
      notice.error(`The record was not saved: ${humanMessage(e)}`);
    } finally {
      save.disabled = false;
    }
  });

  let records: ReflectionRecord[] = [];
  const showRecord = (i: number): void => {
    current = records[i] ?? null;
    showProblem(current ? problemOf(current) : '');
    showAnswer(current);
    view.show(current?.messages[1]?.content ?? []);
    applyMask();
  };
  recordSel.addEventListener('change', () => showRecord(Number(recordSel.value)));
  const loadDataset = async (id: string): Promise<void> => {
    try {
      records = await loadReflectionRecords(id);
    } catch (e) {
      records = [];
      notice.error(`The dataset could not be read: ${humanMessage(e)}`);
    }
    recordSel.textContent = '';
    records.forEach((r, i) => recordSel.add(new Option(recordTitle(r, i), String(i))));
    showRecord(0);
  };
  datasetSel.addEventListener('change', () => void loadDataset(datasetSel.value));
  const refreshDatasets = async (keep?: string): Promise<void> => {
    const choices = await listDatasetChoices();
    datasetSel.textContent = '';
    for (const c of choices) datasetSel.add(new Option(c.name, c.id, false, c.id === keep));
  };

  renderEmptyState(root, {
    title: 'Reflect',
    body: [
      'A reflection sequence is how ReflectionCoder learns from a failed attempt: code (C), its execution (E) with the ' +
        'traceback, an analysis (A) of what went wrong, then the fixed code. Step through a record below, edit and run ' +
        'its code in a sandboxed Python, see what the student model does not get to see (the mask overlay), or build a ' +
        'new sequence with a model at the bottom.',
    ],
    steps: [
      'Pick a record; ← → (or j k) step through its blocks — press ? for all keys.',
      'Edit a code block and run it (Run ▶ or Ctrl+Enter).',
      'Turn on the mask overlay to see what training hides.',
    ],
  });
  root.append(toolbar, notice.el, maskRoot, problemBox, view.el, answerBox, help.el);
  installReflectKeys(
    root,
    {
      step: (d) => view.step(d),
      run: (target) => view.runCurrent(view.blockOf(target) >= 0 ? view.blockOf(target) : view.current),
    },
    help,
  );
  mountBuilderForm(root, {
    python,
    local: localModelSource(ctx),
    timeoutMs,
    onStart: (name, problem) => {
      built = null;
      save.hidden = true;
      current = null;
      showProblem(problem ?? '');
      showAnswer(null);
      view.show([]);
      applyMask();
      outcomeEl.textContent = `Running a reflection loop with ${name}…`;
      delete outcomeEl.dataset.kept;
      outcomeEl.removeAttribute('role');
      ctx.status.setJob('reflect', 'reflection loop');
      problemBox.scrollIntoView({ block: 'nearest' });
    },
    onEvent: (e) => {
      // The sequence streams into the view above, block by block.
      if (e.type === 'block') view.append(e.block);
      else if (e.type === 'status') outcomeEl.textContent = `Reflection loop: ${e.message}`;
    },
    onDone: (o) => {
      built = o;
      current = o.record ?? null;
      applyMask();
      showAnswer(current);
      ctx.status.setJob('reflect', null);
      outcomeEl.dataset.kept = String(Boolean(o.record));
      outcomeEl.textContent = o.record
        ? `Kept: ${o.rounds} rounds, final code extracted. The record (above) follows the released schema; save it to train on it.`
        : `Rejected (${o.rejection?.reason}): ${o.rejection?.detail}`;
      save.hidden = !o.record;
    },
    onError: (m) => {
      ctx.status.setJob('reflect', null);
      outcomeEl.setAttribute('role', 'alert');
      outcomeEl.textContent = `The loop stopped: ${stripPrefix(m)}`;
    },
  });
  root.append(outcomeEl, save);
  void refreshDatasets('builtin:demo').then(() => loadDataset(datasetSel.value || 'builtin:demo'));
}
