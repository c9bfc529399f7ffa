/**
 * The Experiment view (issue 11, docs/experiment.md): "Run the demo" trains ReflectionCoder on the built-in data
 * (smoke preset) in a worker, evaluates it on the generated test tasks and shows its pass@1 next to the untrained
 * model's and the reference solutions'; "Run the ablation table" runs the four Table 2 variants with progress and
 * ETA. Finished cells are kept in IndexedDB, so a reload shows the last table and a rerun continues.
 */
import * as Comlink from 'comlink';
import {
  rowOrder,
  TABLE2_VARIANTS,
  tableRows,
  variantsByName,
  type ExperimentEvent,
  type ExperimentResult,
  type ExperimentWorkerApi,
} from '../../page/services.ts';
import { IdbResultStore } from '../../page/stores.ts';
import { createWorkerBridge } from '../bridge.ts';
import type { AppContext } from '../context.ts';
import { pageCheckPool } from '../../page/python.ts';
import { errorText, formatDuration, h } from '../dom.ts';
import { renderCurves, renderTable } from './table-view.ts';
import './experiment.css';
import { StorageError } from '../../core/errors.ts';

type Mode = 'demo' | 'table';

async function fetchData(): Promise<{ instruction: string; reflection: string; validation: string }> {
  const get = async (f: string) => {
    const r = await fetch(`${import.meta.env.BASE_URL}demo/${f}`);
    if (!r.ok) throw new StorageError(`the built-in data ${f} could not be loaded (HTTP ${r.status})`);
    return r.text();
  };
  return {
    instruction: await get('instruction.jsonl'),
    reflection: await get('reflection.jsonl'),
    validation: await get('validation.jsonl'),
  };
}

export function mountExperimentPanel(panel: HTMLElement, ctx: AppContext): void {
  const bridge = createWorkerBridge<ExperimentWorkerApi>(
    () =>
      new Worker(new URL('../../../workers/experiment.worker.ts', import.meta.url), {
        type: 'module',
        name: 'experiment',
      }),
    { onError: (m) => ctx.status.setMessage(`Experiment worker failed: ${m}`, 'error') },
  );
  const demoBtn = h('button', { type: 'button', class: 'primary', testid: 'exp-demo' }, 'Run the demo');
  const tableBtn = h('button', { type: 'button', testid: 'exp-run-table' }, 'Run the ablation table');
  const presetSel = h(
    'select',
    { 'aria-label': 'Preset for the ablation table', testid: 'exp-preset' },
    h('option', { value: 'smoke' }, 'smoke (minutes)'),
    h('option', { value: 'demo' }, 'demo (80 steps per variant and seed)'),
  );
  const seedsIn = h('input', { type: 'number', min: 1, max: 10, value: 1, 'aria-label': 'Seeds', testid: 'exp-seeds' });
  const stopBtn = h('button', { type: 'button', disabled: true, testid: 'exp-stop' }, 'Stop');
  const progress = h('progress', { max: 1, value: 0, testid: 'exp-progress' });
  const status = h('p', { class: 'exp-status', testid: 'exp-status', 'aria-live': 'polite' }, '');
  const results = h('div', { class: 'exp-results', testid: 'exp-results' });
  panel.append(
    h('h2', {}, 'Experiment: the paper’s ablation on generated tasks'),
    h(
      'p',
      {},
      'The built-in data: instruction records and reflection records built by really running code in Pyodide, for a generated family of small Python problems. "Run the demo" trains ReflectionCoder (smoke preset) in a worker, then checks its greedy answers on held-out test tasks, next to the untrained model. The ablation table trains the four variants of the paper’s Table 2 with identical steps, data order and seeds.',
    ),
    h(
      'div',
      { class: 'exp-actions' },
      demoBtn,
      h('span', { class: 'exp-sep' }),
      presetSel,
      h('label', {}, 'Seeds ', seedsIn),
      tableBtn,
      stopBtn,
    ),
    progress,
    status,
    results,
  );

  const show = (r: Pick<ExperimentResult, 'rows' | 'cells' | 'preset' | 'seeds'>) => {
    const c0 = r.cells[0];
    results.replaceChildren(
      renderTable(
        r.rows,
        `Preset ${r.preset}, seeds ${r.seeds.join(', ')}: greedy pass@1 on ${c0?.seen.total ?? 0} seen-template and ${c0?.unseen.total ?? 0} unseen-template test tasks`,
      ),
    );
    const curves = renderCurves(r.cells);
    if (curves) results.append(h('h3', {}, 'Training loss'), curves);
  };

  // The last saved results, without starting a worker.
  void (async () => {
    try {
      const store = await IdbResultStore.open();
      const all = await store.all();
      store.close();
      if (!all.length) return;
      const latest = all.sort((a, b) => b.savedAt.localeCompare(a.savedAt))[0]!;
      const prefix = latest.key.slice(0, latest.key.lastIndexOf('/'));
      const cells = all.filter((c) => c.key.startsWith(prefix + '/')).map((c) => c.cell);
      const names = [...new Set(cells.map((c) => c.variant))].filter((v) => v !== 'untrained' && v !== 'reference');
      const variants = variantsByName(
        names.filter(
          (n) => TABLE2_VARIANTS.some((v) => v.name === n) || n.startsWith('order-') || n.startsWith('mask-'),
        ),
      );
      if (!results.childElementCount)
        show({
          rows: tableRows(cells, rowOrder(variants)),
          cells,
          preset: prefix.split('/')[0]!,
          seeds: [...new Set(cells.map((c) => c.seed))].sort(),
        });
      status.textContent = `Saved results from ${new Date(latest.savedAt).toLocaleString()}.`;
    } catch (e) {
      status.textContent = `Saved results could not be read: ${errorText(e)}`;
    }
  })();

  async function run(mode: Mode): Promise<void> {
    demoBtn.disabled = tableBtn.disabled = true;
    stopBtn.disabled = false;
    const t0 = performance.now();
    try {
      status.textContent = 'Loading the built-in data and starting the worker…';
      const data = await fetchData();
      const api = await bridge.get();
      const python = pageCheckPool();
      const preset = mode === 'demo' ? 'smoke' : (presetSel.value as 'smoke' | 'demo');
      const seeds =
        mode === 'demo'
          ? [0]
          : Array.from({ length: Math.max(1, Math.min(10, Number(seedsIn.value) || 1)) }, (_, i) => i);
      const variants = mode === 'demo' ? ['reflectioncoder'] : TABLE2_VARIANTS.map((v) => v.name);
      let eta: number | null = null;
      const onEvent = (e: ExperimentEvent) => {
        if (e.type === 'cell-done') {
          eta = e.etaSec;
          progress.value = (e.index + 1) / e.cells;
        }
        if (e.type === 'cell' || e.type === 'cell-start') {
          const name = e.key.split('/').pop();
          const what =
            e.type === 'cell-start'
              ? 'starting'
              : e.event.type === 'train'
                ? `training step ${e.event.step}/${e.event.total}, loss ${e.event.loss.toFixed(3)}`
                : e.event.type === 'note'
                  ? e.event.message
                  : `checking ${e.event.split} ${e.event.done}/${e.event.total}`;
          status.textContent = `Cell ${e.index + 1}/${e.cells} (${name}): ${what}. Elapsed ${formatDuration((performance.now() - t0) / 1000)}${eta !== null ? `, ETA ${formatDuration(eta)}` : ''}.`;
          if (e.type === 'cell' && e.event.type === 'train')
            progress.value = (e.index + e.event.step / e.event.total / 2) / e.cells;
        }
      };
      const result = await api.run(
        { preset, seeds, variants, backend: ctx.backendPreference, data },
        Comlink.proxy({ check: (...a: Parameters<typeof python.check>) => python.check(...a) }),
        Comlink.proxy(onEvent),
      );
      show(result);
      progress.value = 1;
      status.textContent = `Done in ${formatDuration((performance.now() - t0) / 1000)} on ${result.backend.backend}.`;
    } catch (e) {
      status.textContent =
        (e as Error)?.name === 'AbortError'
          ? 'Stopped; finished cells are saved and a rerun continues from them.'
          : `The experiment failed: ${errorText(e)}`;
    } finally {
      demoBtn.disabled = tableBtn.disabled = false;
      stopBtn.disabled = true;
    }
  }

  demoBtn.addEventListener('click', () => void run('demo'));
  tableBtn.addEventListener('click', () => void run('table'));
  stopBtn.addEventListener('click', () => void bridge.get().then((api) => api.stop()));
}
