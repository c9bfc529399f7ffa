// Over 300 lines: the Train panel's wiring only; its views already live in datasets-view, config-view, progress-view, checkpoints-view and try-view.
/**
 * The Train panel: datasets + preset/config → Train, live progress and plots, checkpoints (with
 * Resume after a reload), and a small "try the model" box. Training, imports and generation happen
 * in the trainer worker, started on first use; listing, renaming, deleting and exporting read
 * IndexedDB directly while no worker runs, so opening the page costs no worker and no tfjs.
 */
import * as Comlink from 'comlink';
import type { TrainerApi, TrainEvent, TrainProgress } from '../../api/trainer.ts';
import type { AppContext } from '../context.ts';
import { createWorkerBridge } from '../bridge.ts';
import { renderEmptyState } from '../empty-state.ts';
import { IdbStore, storageOps, type StorageOps } from '../../page/stores.ts';
import { defaultRunConfig, RUN_PRESETS, validateRunConfig } from '../../core/train/run-config.ts';
import { CheckpointsView } from './checkpoints-view.ts';
import { ConfigView } from './config-view.ts';
import { DatasetsView } from './datasets-view.ts';
import { errorText, h } from '../dom.ts';
import { createNotice } from '../notice.ts';
import { TrainPlots } from './plots.ts';
import { ProgressView } from './progress-view.ts';
import { TryModelView } from './try-view.ts';
import { CHECKPOINTS_CHANGED } from '../events.ts';
import './train.css';

export function mountTrain(root: HTMLElement, ctx: AppContext): void {
  const bridge = createWorkerBridge<TrainerApi>(
    () =>
      new Worker(new URL('../../../workers/trainer.worker.ts', import.meta.url), { type: 'module', name: 'trainer' }),
    {
      // The worker died (load error, out of memory): calls in flight never settle, so reset the controls.
      onError: (m) => {
        ready = null;
        progress.setState('failed');
        setActive(false);
        fail(`The trainer worker stopped (${m}). Resume from the last checkpoint below.`);
      },
    },
  );
  // Messages about the run and the model sit under the run controls; lists have their own (see the views).
  const notice = createNotice('train-message');
  const info = (text: string) => notice.info(text);
  const fail = (text: string) => notice.error(text);
  let setupError = false;
  const failSetup = (text: string): void => {
    fail(text);
    setupError = true;
  };

  /** The worker with the app's backend preference applied (once per worker). */
  let ready: Promise<Comlink.Remote<TrainerApi>> | null = null;
  const trainer = (): Promise<Comlink.Remote<TrainerApi>> => {
    if (!ready || !bridge.running) {
      ready = (async () => {
        const t = await bridge.get();
        progress.setBackend(null, `starting ${ctx.backendPreference}…`);
        const choice = await t.setBackend(ctx.backendPreference);
        progress.setBackend(choice);
        return t;
      })();
      ready.catch((e) => {
        ready = null;
        progress.setBackend(null, 'failed');
        fail(errorText(e));
      });
    }
    return ready;
  };

  // Storage operations: through the worker while it runs (it guards the active run's checkpoint
  // and renames it in memory too), else straight on IndexedDB.
  let localStore: Promise<IdbStore> | null = null;
  const local = storageOps(() => {
    localStore ??= IdbStore.open();
    localStore.catch(() => (localStore = null));
    return localStore;
  });
  const ops = async (): Promise<StorageOps> => (bridge.running ? trainer() : local);

  const datasets = new DatasetsView({
    list: async () => (await ops()).listDatasets(),
    importFiles: async (files) =>
      (await trainer()).importDatasets(
        Comlink.transfer(
          files,
          files.map((f) => f.bytes.buffer),
        ),
      ),
    remove: async (id) => (await ops()).deleteDataset(id),
    onChange: () => void ctx.status.refreshStorage(),
  });
  const config = new ConfigView(
    { presets: RUN_PRESETS, defaults: defaultRunConfig, validate: validateRunConfig },
    'smoke',
  );
  const plots = h('div', { testid: 'train-plots' });
  const checkpoints = new CheckpointsView({
    list: async () => (await ops()).listCheckpoints(),
    rename: async (id, name) => (await ops()).renameCheckpoint(id, name),
    remove: async (id) => (await ops()).deleteCheckpoint(id),
    exportFiles: async (id) => (await ops()).exportCheckpoint(id),
    importFiles: async (safetensors, json, name) => (await trainer()).importCheckpoint({ safetensors, json }, name),
    resume: (id) => void run({ datasets: [], resumeFrom: id }),
    load: async (id) => {
      const meta = await (await trainer()).load(id);
      info(`Loaded “${meta.name}” (step ${meta.step}): try it below.`);
      tryModel.setModel(meta.name);
      tryModel.open();
      void showHistory(id, meta.name);
    },
    busy: () => progress.active,
  });
  const progress = new ProgressView({
    start: () => {
      notice.clear();
      const cfg = config.value();
      if (!cfg)
        return failSetup('The run config has an error: fix it (see the message under the editor), then press Train.');
      const chosen = datasets.chosen();
      if (chosen.length === 0)
        return failSetup('No dataset is chosen: tick at least one under Datasets, then press Train.');
      void run({ datasets: chosen, config: cfg });
    },
    pause: () =>
      void trainer()
        .then((t) => t.pause())
        .catch((e) => fail(errorText(e))),
    resume: () =>
      void trainer()
        .then((t) => t.resume())
        .catch((e) => fail(errorText(e))),
    stop: () => {
      progress.setState('stopping');
      void trainer()
        .then((t) => t.stop())
        .catch((e) => fail(errorText(e)));
    },
    kill: () => {
      bridge.terminate();
      ready = null;
      progress.setState('stopped', 'worker terminated');
      setActive(false);
      info('The trainer worker was terminated; resume from the last checkpoint below.');
      void checkpoints.refresh();
    },
  });
  const tryModel = new TryModelView({
    generate: async (prompt, req, onText) => (await trainer()).generate(prompt, req, Comlink.proxy(onText)),
  });

  root.replaceChildren();
  renderEmptyState(root, {
    title: 'Train',
    body: [
      'Fine-tune a small Llama-architecture model with reflection self-distillation: the teacher reads the whole record ' +
        '(code, execution, analysis), the student sees the same tokens with reflection blocks hidden by the dynamic mask ' +
        'and learns to re-answer in one go. Training runs in a Web Worker; checkpoints are kept in this browser.',
    ],
    steps: [
      'Choose datasets (the built-in demo or your JSONL).',
      'Pick a preset (or edit the config).',
      'Press Train and watch CE teacher, CE student and KL fall while the mask rate climbs.',
    ],
  });
  // A setup error goes away by itself once the setup is fixed (a dataset ticked, the config valid again).
  const setup = h('div', { class: 'train-setup' }, datasets.root, config.root);
  const recheckSetup = (): void => {
    if (setupError && config.value() && datasets.chosen().length > 0) {
      setupError = false;
      notice.clear();
    }
  };
  setup.addEventListener('change', recheckSetup);
  setup.addEventListener('input', recheckSetup);
  const plotsCaption = h(
    'p',
    { class: 'train-plots-caption', testid: 'plots-caption' },
    'No metrics yet: the plots fill in as a run logs its steps.',
  );
  const panel = h(
    'div',
    { class: 'train-panel', testid: 'train-panel' },
    setup,
    h(
      'div',
      { class: 'train-main' },
      progress.root,
      notice.el,
      h(
        'section',
        { class: 'train-charts', 'aria-label': 'Training plots' },
        plotsCaption,
        plots,
        h('p', { class: 'train-plots-legend', testid: 'plots-legend' }, ...PLOT_LEGEND),
      ),
    ),
    checkpoints.root,
    tryModel.root,
  );
  root.append(panel);
  const charts = new TrainPlots(plots);

  /** Rebuilds the plots from a stored checkpoint's metrics history (after a reload or a Load). */
  async function showHistory(id: string, name: string): Promise<void> {
    if (progress.active) return;
    try {
      const { json } = await local.exportCheckpoint(id);
      const metrics = (JSON.parse(json) as { metrics?: TrainProgress[] }).metrics ?? [];
      charts.reset(metrics);
      const last = metrics.at(-1);
      plotsCaption.textContent = metrics.length
        ? `Metrics of “${name}”: ${metrics.length} logged steps.`
        : `“${name}” has no logged steps.`;
      if (last) progress.setStartText(last.step, last.totalSteps);
    } catch (e) {
      plotsCaption.textContent = `The metrics of “${name}” could not be read: ${errorText(e)}`;
    }
  }

  const onEvent = (e: TrainEvent): void => {
    switch (e.type) {
      case 'progress':
        charts.push(e.progress);
        progress.setProgress(e.progress);
        ctx.status.setJob('train', `training: step ${e.progress.step}/${e.progress.totalSteps}`);
        break;
      case 'history':
        charts.reset(e.history);
        plotsCaption.textContent = e.history.length
          ? `Resumed: ${e.history.length} earlier steps restored from the checkpoint.`
          : 'This run, live.';
        progress.setStartText(e.history.at(-1)?.step ?? 0, e.totalSteps);
        break;
      case 'state':
        progress.setState(e.state, e.message);
        setActive(progress.active);
        break;
      case 'checkpoint':
        void checkpoints.refresh();
        void ctx.status.refreshStorage();
        announceCheckpoints();
        break;
      case 'log':
        (e.level === 'error' ? fail : info)(e.message);
        break;
    }
  };

  /** While a run is active: the setup is read-only, the intro folds away so the plots stay in view. */
  function setActive(active: boolean): void {
    config.setDisabled(active);
    root.classList.toggle('train-active', active);
    checkpoints.render();
    if (!active) ctx.status.setJob('train', null);
  }

  async function run(request: Parameters<TrainerApi['start']>[0]): Promise<void> {
    notice.clear();
    progress.setState('preparing');
    ctx.status.setJob('train', 'training: preparing');
    // Ask the browser not to evict the checkpoints under storage pressure (granted silently or not at all).
    void navigator.storage?.persist?.().catch(() => false);
    setActive(true);
    try {
      const t = await trainer();
      const summary = await t.start(request, Comlink.proxy(onEvent));
      info(
        `Run ${summary.state} after ${summary.steps}/${summary.totalSteps} steps in ${summary.elapsed_sec.toFixed(1)} s ` +
          `(${Math.round(summary.tokens_per_sec)} tok/s on ${summary.backend.backend}` +
          `${summary.workers > 1 ? ` · ${summary.workers} data-parallel workers` : ''}).`,
      );
      progress.setState(summary.state);
    } catch (e) {
      progress.setState('failed');
      fail(`The run stopped: ${errorText(e)}`);
    } finally {
      setActive(false);
      await checkpoints.refresh();
      announceCheckpoints();
    }
  }

  ctx.onBackendPreferenceChange((pref) => {
    // The backend is fixed for a worker's life: the next use starts a worker on the new one.
    if (progress.active) return info('The new backend applies to the next run (a run is in progress).');
    bridge.terminate();
    ready = null;
    progress.setBackend(null, `${pref} (the worker starts with the first run)`);
  });

  progress.setBackend(null, `${ctx.backendPreference} (the worker starts with the first run)`);
  void Promise.all([datasets.refresh(), checkpoints.refresh()]).then(() => {
    // After a reload: the newest checkpoint's metrics, so the plots are not blank.
    const newest = checkpoints.newest();
    if (newest && !progress.active && charts.points === 0) void showHistory(newest.id, newest.name);
  });
}

/** Other panels (Evaluate, Reflect) list checkpoints too: tell them the list changed. */
function announceCheckpoints(): void {
  window.dispatchEvent(new CustomEvent(CHECKPOINTS_CHANGED));
}

const PLOT_LEGEND = [
  'Dots are the logged values, lines a smoothed curve. ',
  h('b', {}, 'CE teacher'),
  ': next-token loss on the full record (code, execution, analysis). ',
  h('b', {}, 'CE student'),
  ': the same answer with reflection blocks hidden by the mask. ',
  h('b', {}, 'KL'),
  ': how far the student’s predictions are from the teacher’s on the final answer. ',
  h('b', {}, 'Total'),
  ': what the optimizer minimises (its mix depends on train.objective). ',
  'Instruction-only steps have no student row (their CE student and KL are 0), so they are drawn separately. ',
  h('b', {}, 'Mask rate'),
  ': share of reflection hidden from the student, rising over the run.',
];
