/**
 * The Train panel: datasets + preset/config → Train, live progress and plots, checkpoints (with
 * Resume after a reload), and a small "try the model" box. Training, imports and generation happen
 * in the trainer worker, started on first use; listing, renaming, deleting and exporting read
 * IndexedDB directly while no worker runs, so opening the page costs no worker and no tfjs.
 */
import * as Comlink from 'comlink';
import type { TrainerApi, TrainEvent } from '../../api/trainer.ts';
import type { AppContext } from '../context.ts';
import { createWorkerBridge } from '../bridge.ts';
import { renderEmptyState } from '../empty-state.ts';
import { IdbStore } from '../../platform/browser/store.ts';
import { storageOps, type StorageOps } from '../../services/trainer/local-store.ts';
import { defaultRunConfig, RUN_PRESETS, validateRunConfig } from '../../services/trainer/run-config.ts';
import { CheckpointsView } from './checkpoints-view.ts';
import { ConfigView } from './config-view.ts';
import { DatasetsView } from './datasets-view.ts';
import { errorText, h } from './dom.ts';
import { TrainPlots } from './plots.ts';
import { ProgressView } from './progress-view.ts';
import { TryModelView } from './try-view.ts';
import './train.css';

export function mountTrain(root: HTMLElement, ctx: AppContext): void {
  const bridge = createWorkerBridge<TrainerApi>(
    () => new Worker(new URL('../../../workers/trainer.worker.ts', import.meta.url), { type: 'module', name: 'trainer' }),
    {
      // The worker died (load error, out of memory): calls in flight never settle, so reset the controls.
      onError: (m) => {
        ready = null;
        progress.setState('failed', m);
        config.setDisabled(false);
        fail(`trainer worker: ${m}`);
      },
    },
  );
  const message = h('div', { class: 'train-message', role: 'status', testid: 'train-message' });
  const info = (text: string) => {
    message.textContent = text;
    message.classList.remove('error');
  };
  const fail = (text: string) => {
    message.textContent = text;
    message.classList.add('error');
    ctx.status.setMessage(text, 'error');
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
    importFile: async (name, bytes) => (await trainer()).importDataset(name, Comlink.transfer(bytes, [bytes.buffer])),
    remove: async (id) => (await ops()).deleteDataset(id),
    onError: fail,
    onInfo: info,
  });
  const config = new ConfigView({ presets: RUN_PRESETS, defaults: defaultRunConfig, validate: validateRunConfig }, 'smoke');
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
      tryModel.open();
    },
    busy: () => progress.active,
    onError: fail,
  });
  const progress = new ProgressView({
    start: () => {
      const cfg = config.value();
      if (!cfg) return fail('Fix the run config first (see the message under the editor).');
      const chosen = datasets.chosen();
      if (chosen.length === 0) return fail('Choose at least one dataset.');
      void run({ datasets: chosen, config: cfg });
    },
    pause: () => void trainer().then((t) => t.pause()).catch((e) => fail(errorText(e))),
    resume: () => void trainer().then((t) => t.resume()).catch((e) => fail(errorText(e))),
    stop: () => {
      progress.setState('stopping');
      void trainer().then((t) => t.stop()).catch((e) => fail(errorText(e)));
    },
    kill: () => {
      bridge.terminate();
      ready = null;
      progress.setState('stopped', 'worker terminated');
      config.setDisabled(false);
      info('The trainer worker was terminated; resume from the last checkpoint below.');
      void checkpoints.refresh();
    },
  });
  const tryModel = new TryModelView({
    generate: async (prompt, req, onText) => (await trainer()).generate(prompt, req, Comlink.proxy(onText)),
    onError: fail,
  });

  root.replaceChildren();
  renderEmptyState(root, {
    title: 'Train',
    body: [
      'Fine-tune a small Llama-architecture model with reflection self-distillation: the teacher reads the whole record ' +
        '(code, execution, analysis), the student sees the same tokens with reflection blocks hidden by the dynamic mask ' +
        'and learns to re-answer in one go. Training runs in a Web Worker; checkpoints are kept in this browser.',
    ],
    steps: ['Choose datasets (the built-in demo or your JSONL).', 'Pick a preset (or edit the config).', 'Press Train and watch CE teacher, CE student and KL fall while the mask rate climbs.'],
  });
  root.append(
    h(
      'div',
      { class: 'train-panel', testid: 'train-panel' },
      h('div', { class: 'train-setup' }, datasets.root, config.root),
      progress.root,
      message,
      plots,
      checkpoints.root,
      tryModel.root,
    ),
  );
  const charts = new TrainPlots(plots);

  const onEvent = (e: TrainEvent): void => {
    switch (e.type) {
      case 'progress':
        charts.push(e.progress);
        progress.setProgress(e.progress);
        break;
      case 'history':
        charts.reset(e.history);
        progress.setStartText(e.history.at(-1)?.step ?? 0, e.totalSteps);
        break;
      case 'state':
        progress.setState(e.state, e.message);
        config.setDisabled(progress.active);
        checkpoints.render();
        break;
      case 'checkpoint':
        void checkpoints.refresh();
        void ctx.status.refreshStorage();
        break;
      case 'log':
        (e.level === 'error' ? fail : info)(e.message);
        break;
    }
  };

  async function run(request: Parameters<TrainerApi['start']>[0]): Promise<void> {
    progress.setState('preparing');
    // Ask the browser not to evict the checkpoints under storage pressure (granted silently or not at all).
    void navigator.storage?.persist?.().catch(() => false);
    config.setDisabled(true);
    checkpoints.render();
    try {
      const t = await trainer();
      const summary = await t.start(request, Comlink.proxy(onEvent));
      info(
        `Run ${summary.state} after ${summary.steps}/${summary.totalSteps} steps in ${summary.elapsed_sec.toFixed(1)} s ` +
          `(${Math.round(summary.tokens_per_sec)} tok/s on ${summary.backend.backend}).`,
      );
      progress.setState(summary.state);
    } catch (e) {
      progress.setState('failed', errorText(e));
      fail(errorText(e));
    } finally {
      config.setDisabled(false);
      await checkpoints.refresh();
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
  void Promise.all([datasets.refresh(), checkpoints.refresh()]);
}
