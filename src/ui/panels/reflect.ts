/**
 * Reflect panel: step through reflection records (built-in demo records or stored datasets) with the student
 * mask overlay, edit and run code blocks in a sandboxed Python session, and build new reflection sequences
 * live with a chat model (paper §3.1). Python (Pyodide) starts on the first run.
 */
import '../reflect/reflect.css';
import type { ReflectOutcome } from '../../api/reflect.ts';
import type { ReflectionRecord } from '../../core/records/schema.ts';
import type { AppContext } from '../context.ts';
import { mountBuilderForm } from '../reflect/builder-form.ts';
import { listDatasetChoices, loadReflectionRecords, saveBuiltRecords } from '../reflect/datasets.ts';
import { hiddenShares, mountMaskControls, type MaskSettings } from '../reflect/mask-overlay.ts';
import { localModelSource } from '../reflect/local-model.ts';
import { pagePython } from '../reflect/python.ts';
import { SequenceView } from '../reflect/sequence-view.ts';

function recordTitle(r: ReflectionRecord, i: number): string {
  const problem = r.messages[2]?.content[0]?.content ?? r.messages[0]?.content[0]?.content ?? '';
  const first = problem.split('\n').find((l) => l.trim()) ?? '';
  return `${i + 1}. ${first.length > 70 ? first.slice(0, 70) + '…' : first}`;
}

export function mountReflectPanel(root: HTMLElement, ctx: AppContext): void {
  // Creating the supervisor is cheap; the worker and Pyodide start on the first run.
  const py = pagePython(ctx);
  const python = () => py;
  let current: ReflectionRecord | null = null;
  let mask: MaskSettings | null = null;

  const toolbar = document.createElement('div');
  toolbar.className = 'rc-toolbar';
  const datasetSel = document.createElement('select');
  datasetSel.dataset.testid = 'reflect-dataset';
  const recordSel = document.createElement('select');
  recordSel.dataset.testid = 'reflect-record';
  const timeout = Object.assign(document.createElement('input'), { type: 'number', min: '100', max: '60000', step: '100', value: '5000' });
  timeout.dataset.testid = 'reflect-timeout';
  timeout.style.width = '7em';
  const reset = Object.assign(document.createElement('button'), { type: 'button', textContent: 'Reset session' });
  reset.addEventListener('click', () => void python().resetSession().then(() => ctx.status.setMessage('Python session reset: cells count from 1 again.')));
  const label = (text: string, el: HTMLElement): HTMLLabelElement => {
    const l = document.createElement('label');
    l.append(text, el);
    return l;
  };
  toolbar.append(label('Dataset', datasetSel), label('Record', recordSel), label('Time limit (ms)', timeout), reset);
  const timeoutMs = (): number => Math.max(100, Math.min(60_000, Number(timeout.value) || 5000));

  const view = new SequenceView({
    python,
    timeoutMs,
    onMessage: (t, k) => ctx.status.setMessage(t, k),
    loadEditor: async () => {
      const { createEditor } = await import('../monaco.ts');
      return (el: HTMLElement, value: string) => createEditor(el, value, { language: 'python' });
    },
  });
  const applyMask = (): void => view.setHidden(current && mask ? hiddenShares(current, mask) : null);

  const maskRoot = document.createElement('div');
  mountMaskControls(maskRoot, (s) => { mask = s; applyMask(); });

  const outcomeEl = document.createElement('div');
  outcomeEl.className = 'rc-outcome';
  outcomeEl.dataset.testid = 'reflect-outcome';
  const save = Object.assign(document.createElement('button'), { type: 'button', textContent: 'Save record to "Reflections built here"', hidden: true });
  let built: ReflectOutcome | null = null;
  save.addEventListener('click', async () => {
    if (!built?.record) return;
    save.disabled = true;
    try {
      const n = await saveBuiltRecords([built.record]);
      ctx.status.setMessage(`Saved: "Reflections built here" now holds ${n} record${n === 1 ? '' : 's'}.`);
      await refreshDatasets(datasetSel.value);
    } catch (e) {
      ctx.status.setMessage(`Saving failed: ${(e as Error).message}`, 'error');
    } finally {
      save.disabled = false;
    }
  });

  let records: ReflectionRecord[] = [];
  const showRecord = (i: number): void => {
    current = records[i] ?? null;
    view.show(current?.messages[1]?.content ?? []);
    applyMask();
  };
  recordSel.addEventListener('change', () => showRecord(Number(recordSel.value)));
  const loadDataset = async (id: string): Promise<void> => {
    try {
      records = await loadReflectionRecords(id);
    } catch (e) {
      records = [];
      ctx.status.setMessage(`Could not read the dataset: ${(e as Error).message}`, 'error');
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

  root.append(toolbar, maskRoot, view.el);
  mountBuilderForm(root, {
    python,
    local: localModelSource(ctx),
    timeoutMs,
    onStart: (name) => {
      built = null;
      save.hidden = true;
      current = null;
      view.show([]);
      applyMask();
      outcomeEl.textContent = `Running a reflection loop with ${name}…`;
      delete outcomeEl.dataset.kept;
    },
    onEvent: (e) => {
      if (e.type === 'block') view.append(e.block);
      else if (e.type === 'status') ctx.status.setMessage(`Reflection loop: ${e.message}`);
    },
    onDone: (o) => {
      built = o;
      current = o.record ?? null;
      applyMask();
      outcomeEl.dataset.kept = String(Boolean(o.record));
      outcomeEl.textContent = o.record
        ? `Kept: ${o.rounds} rounds, final code extracted. The record follows the released schema.`
        : `Rejected (${o.rejection?.reason}): ${o.rejection?.detail}`;
      save.hidden = !o.record;
    },
    onError: (m) => {
      outcomeEl.textContent = `The loop stopped: ${m}`;
      ctx.status.setMessage(`Reflection loop: ${m}`, 'error');
    },
  });
  root.append(outcomeEl, save);
  void refreshDatasets('builtin:demo').then(() => loadDataset(datasetSel.value || 'builtin:demo'));
}
