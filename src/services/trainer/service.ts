// Over 300 lines: the whole TrainerApi surface (datasets, run, checkpoints, generation) on one object; its parts live in controller.ts, local-store.ts, scheduled-step.ts, device-limits.ts.
/**
 * TrainerService: the one implementation of TrainerApi, used by workers/trainer.worker.ts (through
 * comlink), the CLI and the tests. Environment specifics come in as dependencies: the store
 * (IndexedDB or files), backend selection, and `yieldFn`, awaited between steps so pause/stop
 * messages are handled. Pause/stop and the step loop live in the run controller (controller.ts).
 */
import type { BackendChoice, BackendPreference } from '../../api/backend.ts';
import type { CheckpointFiles, CheckpointMeta, DatasetMeta, TrainStore } from '../../api/store.ts';
import type {
  GenerateRequest,
  RunState,
  StartRequest,
  TrainerApi,
  TrainerStatus,
  TrainEvent,
  TrainProgress,
  TrainSummary,
} from '../../api/trainer.ts';
import { CheckpointError, StorageError, UsageError } from '../../core/errors.ts';
import { setActiveBackend } from '../../core/model/budget.ts';
import type { Prompt } from '../../core/prompt.ts';
import { importDataset, importDatasets, loadCheckpointDatasets, loadDatasets } from './datasets.ts';
import { parseCheckpoint, parseCheckpointJson } from './checkpoint.ts';
import { generateText, LoadedModel } from './generation.ts';
import { checkName, checkpointMeta, storageOps } from './local-store.ts';
import { newId } from '../../core/id.ts';
import { Mutex } from '../../core/lock.ts';
import { ProgressMeter } from './progress.ts';
import { RunController } from './controller.ts';
import { gpuLimits } from './device-limits.ts';
import { RUN_PRESETS, validateRunConfig } from '../../core/train/run-config.ts';
import { TrainingRun } from './run.ts';
import { poolFor, type DataParallelPool } from './data-parallel.ts';
import type { ReplicaPort } from '../../api/replica.ts';
import { localRunner } from '../../core/train/step.ts';

export interface TrainerDeps {
  /** Where datasets and checkpoints live; absent = no storage (the CLI without --out). */
  openStore?: () => Promise<TrainStore>;
  selectBackend: (pref: BackendPreference) => Promise<BackendChoice>;
  /** Lets queued messages (pause, stop, save) run between steps. */
  yieldFn: () => Promise<void>;
  /** Monotonic milliseconds (performance.now by default). */
  now?: () => number;
  /**
   * Data-parallel training (data-parallel.ts) of from-scratch runs on wasm: how many tfjs instances to
   * use, this one included, and how to open a replica. Absent, or 1 instance: this one alone.
   */
  dataParallel?: { instances: () => number; openReplica: () => ReplicaPort };
}

const ACTIVE: RunState[] = ['preparing', 'running', 'paused', 'stopping'];

export class TrainerService implements TrainerApi {
  private state: RunState = 'idle';
  private backend: BackendChoice | null = null;
  private store: Promise<TrainStore> | null = null;
  private run: TrainingRun | null = null;
  /** Data-parallel replicas, kept from run to run (openPool). */
  private pool: DataParallelPool | null = null;
  /** The checkpoint id the active run writes to. */
  private runCheckpointId: string | null = null;
  private loaded: { model: LoadedModel; meta: CheckpointMeta } | null = null;
  /** Pause/stop of the active run (null between runs). */
  private control: RunController | null = null;
  private emit: (e: TrainEvent) => void = () => {};
  private meter: ProgressMeter | null = null;
  private readonly lock = new Mutex();
  /** The store CRUD shared with the page's worker-free path (local-store.ts). */
  private readonly storage = storageOps(() => this.getStore());
  private readonly now: () => number;

  constructor(private readonly deps: TrainerDeps) {
    this.now = deps.now ?? (() => performance.now());
  }

  async setBackend(pref: BackendPreference): Promise<BackendChoice> {
    if (ACTIVE.includes(this.state))
      throw new UsageError('cannot change the backend while a run is active; stop it first');
    this.backend = await this.deps.selectBackend(pref);
    // The resource guard (budget.ts) checks every later config against this backend's limits.
    setActiveBackend(this.backend.backend, gpuLimits());
    return this.backend;
  }

  async status(): Promise<TrainerStatus> {
    return { state: this.state, backend: this.backend, loaded: this.loaded?.meta ?? null, presets: RUN_PRESETS };
  }

  private getStore(): Promise<TrainStore> {
    if (!this.deps.openStore)
      return Promise.reject(
        new StorageError('no storage configured here (the CLI needs --out <dir> to save checkpoints)'),
      );
    this.store ??= this.deps.openStore();
    this.store.catch(() => (this.store = null));
    return this.store;
  }

  // ---- datasets ----
  async listDatasets(): Promise<DatasetMeta[]> {
    return this.deps.openStore ? this.storage.listDatasets() : [];
  }

  async importDataset(fileName: string, bytes: Uint8Array): Promise<DatasetMeta> {
    return importDataset(await this.getStore(), fileName, bytes);
  }

  /** Several files, all or none (train --data a b). */
  async importDatasets(files: { fileName: string; bytes: Uint8Array }[]): Promise<DatasetMeta[]> {
    return importDatasets(await this.getStore(), files);
  }

  async deleteDataset(id: string): Promise<void> {
    await this.storage.deleteDataset(id);
  }

  // ---- the run ----
  async start(request: StartRequest, onEvent: (e: TrainEvent) => void): Promise<TrainSummary> {
    if (ACTIVE.includes(this.state))
      throw new UsageError(`a run is already ${this.state}; stop it before starting another`);
    this.emit = (e) => {
      // A proxied callback returns a promise; a closed page must not crash the run.
      try {
        void Promise.resolve(onEvent(e)).catch(() => {});
      } catch {
        // ignore: the listener is gone
      }
    };
    this.control = new RunController(this.deps.yieldFn);
    this.setState('preparing');
    try {
      if (!this.backend) await this.setBackend('auto');
      this.disposeModels();
      const run = await this.prepare(request);
      this.run = run;
      this.emit({ type: 'history', history: [...run.metrics], totalSteps: run.totalSteps });
      if (run.dropped > 0)
        this.emit({
          type: 'log',
          message: `${run.dropped} record(s) longer than train.maxLen = ${run.config.train.maxLen} tokens were dropped (never truncated)`,
        });
      await this.attachPool(run);
      try {
        const summary = await this.loop(run);
        this.setState(summary.state);
        return summary;
      } finally {
        // The replicas stay for the next run (warm); a pool that lost a replica is replaced then (poolFor).
        run.runner = localRunner;
      }
    } catch (e) {
      if (this.control?.signal.aborted && !this.run) {
        // Stopped while preparing (tokenizer training): nothing ran, nothing to save.
        this.setState('stopped', 'before the first step');
        return {
          state: 'stopped',
          steps: 0,
          totalSteps: 0,
          last: null,
          checkpoint: null,
          elapsed_sec: 0,
          tokens_per_sec: 0,
          backend: this.backend!,
          workers: 1,
        };
      }
      this.setState('failed', (e as Error).message);
      throw e;
    } finally {
      this.control?.release();
      this.control = null;
    }
  }

  private async prepare(request: StartRequest): Promise<TrainingRun> {
    if (request.resumeFrom) {
      const store = await this.getStore();
      const got = await store.getCheckpoint(request.resumeFrom);
      if (!got) throw new CheckpointError(`no checkpoint "${request.resumeFrom}" in storage`);
      const json = parseCheckpointJson(got.files.json);
      this.emit({ type: 'log', message: `Resuming “${got.meta.name}” at step ${json.step}/${json.totalSteps}` });
      const records = await loadCheckpointDatasets(store, json.datasets);
      this.runCheckpointId = got.meta.id;
      return TrainingRun.restore(got.files, records);
    }
    const config = validateRunConfig(request.config ?? {});
    const { records, refs } = await loadDatasets(await this.getStoreOrNull(), request.datasets);
    this.emit({
      type: 'log',
      message: `Training a ${config.vocabSize}-token BPE tokenizer on ${records.length} records…`,
    });
    const run = await TrainingRun.create({
      config,
      records,
      datasets: refs,
      yieldFn: this.deps.yieldFn,
      name: request.runName ?? `${config.preset} ${new Date().toISOString().slice(0, 16).replace('T', ' ')}`,
      onTokenizerProgress: async (merges, target) => {
        if (merges === target || merges % Math.max(64, Math.ceil(target / 4)) === 0)
          this.emit({ type: 'log', message: `Tokenizer: ${merges}/${target} merges` });
        await this.deps.yieldFn();
        this.control?.signal.throwIfAborted();
      },
    });
    this.runCheckpointId = this.deps.openStore && request.checkpoint !== false ? newId('run') : null;
    return run;
  }

  /**
   * Trains the run on the data-parallel pool on wasm when more than one instance is wanted (kept from run
   * to run). When a replica cannot start, the reason is logged and the run trains on this instance alone.
   */
  private async attachPool(run: TrainingRun): Promise<void> {
    const dp = this.deps.dataParallel;
    const n = dp && this.backend?.backend === 'wasm' ? dp.instances() : 1;
    const say = (message: string) => this.emit({ type: 'log', message });
    try {
      this.pool = dp ? poolFor(this.pool, n, dp.openReplica) : null;
    } catch (e) {
      this.closePool();
      say(`${(e as Error).message}; training on this worker alone`);
      return;
    }
    if (!this.pool) return;
    if (!(await this.pool.attach(run, say))) return this.closePool();
    say(
      `Data-parallel training on ${n} wasm workers (this one and ${n - 1} replica${n > 2 ? 's' : ''}, one thread each` +
        `${this.pool.sharesMemory ? '; split pairs pass their KL targets in shared memory' : ''})`,
    );
  }

  private closePool(): void {
    this.pool?.dispose();
    this.pool = null;
  }

  /** loadDatasets needs a store only for imported datasets; the demo works without one. */
  private async getStoreOrNull(): Promise<TrainStore | null> {
    return this.deps.openStore ? this.getStore() : null;
  }

  private async loop(run: TrainingRun): Promise<TrainSummary> {
    const cfg = run.config;
    const meter = new ProgressMeter(run.elapsedBefore);
    this.meter = meter;
    this.setState('running');
    let last: TrainProgress | null = run.metrics.at(-1) ?? null;
    let checkpoint: CheckpointMeta | null = null;
    const step = async (): Promise<void> => {
      const t0 = this.now();
      const r = await this.lock.run(() => run.trainStep());
      const p = meter.record(r, (this.now() - t0) / 1000, run.totalSteps, run.epochProgress);
      if (run.step % cfg.progressEvery === 0 || run.done) {
        run.metrics.push(p);
        this.emit({ type: 'progress', progress: p });
      }
      last = p;
      if (cfg.checkpointEvery > 0 && run.step % cfg.checkpointEvery === 0 && !run.done) {
        checkpoint = (await this.writeRunCheckpoint(run)) ?? checkpoint;
      }
    };
    await this.control!.loop(
      () => run.done,
      step,
      () => this.setState('running'),
    );
    const stopped = !run.done;
    // The end (or a stop) always leaves a checkpoint when checkpointing is on, so a run can resume
    // or be evaluated (checkpointEvery 0 = only this one).
    if (this.runCheckpointId) checkpoint = (await this.writeRunCheckpoint(run)) ?? checkpoint;
    return {
      state: stopped ? 'stopped' : 'finished',
      steps: run.step,
      totalSteps: run.totalSteps,
      last,
      checkpoint,
      elapsed_sec: run.elapsedBefore + meter.sessionSeconds,
      tokens_per_sec: meter.tokensPerSec,
      backend: this.backend!,
      workers: run.runner.instances, // 1 again if a replica failed during the run
    };
  }

  /** Periodic checkpoint: a failure (quota) is reported and training continues; the previous one is kept. */
  private async writeRunCheckpoint(run: TrainingRun): Promise<CheckpointMeta | null> {
    if (!this.runCheckpointId) return null;
    try {
      return await this.writeCheckpoint(run, this.runCheckpointId, run.name);
    } catch (e) {
      this.emit({
        type: 'log',
        level: 'error',
        message: `Checkpoint at step ${run.step} failed (training continues): ${(e as Error).name}: ${(e as Error).message}`,
      });
      return null;
    }
  }

  private async writeCheckpoint(run: TrainingRun, id: string, name: string): Promise<CheckpointMeta> {
    const store = await this.getStore();
    return this.lock.run(async () => {
      // Bytes first, then one transaction: nothing is awaited inside the write but the store.
      const files = await run.checkpoint(run.elapsedBefore + (this.meter?.sessionSeconds ?? 0));
      const meta = checkpointMeta(id, name, run.config.preset, run, files);
      await store.putCheckpoint(meta, files);
      this.emit({ type: 'checkpoint', meta });
      return meta;
    });
  }

  async pause(): Promise<void> {
    if (this.state !== 'running') return;
    this.control?.pause();
    this.setState('paused');
  }

  async resume(): Promise<void> {
    if (this.state !== 'paused') return;
    this.control?.resume();
  }

  async stop(): Promise<void> {
    if (!this.control) return;
    this.setState('stopping');
    this.control.stop();
  }

  async save(name?: string): Promise<CheckpointMeta> {
    const run = this.run;
    if (!run) throw new UsageError('nothing to save: start or resume a run first');
    if (!name) {
      this.runCheckpointId ??= newId('run');
      return this.writeCheckpoint(run, this.runCheckpointId, run.name);
    }
    return this.writeCheckpoint(run, newId('ckpt'), name);
  }

  async load(checkpointId: string): Promise<CheckpointMeta> {
    if (ACTIVE.includes(this.state))
      throw new UsageError('cannot load a checkpoint while a run is active; stop it first');
    const got = await (await this.getStore()).getCheckpoint(checkpointId);
    if (!got) throw new CheckpointError(`no checkpoint "${checkpointId}" in storage`);
    if (!this.backend) await this.setBackend('auto');
    const model = LoadedModel.fromCheckpoint(got.files);
    this.disposeModels();
    this.loaded = { model, meta: got.meta };
    return got.meta;
  }

  async generate(prompt: Prompt, request: GenerateRequest, onText?: (delta: string) => void): Promise<string> {
    if (this.state === 'running' || this.state === 'preparing' || this.state === 'stopping') {
      throw new UsageError('the model is training: pause the run (or wait for it to end) to generate');
    }
    const source = this.loaded?.model ?? (this.run ? new LoadedModel(this.run.model, this.run.tokenizer, false) : null);
    if (!source) throw new UsageError('no model: train a run or load a checkpoint first');
    return generateText(source, prompt, request, onText);
  }

  // ---- checkpoints ----
  async listCheckpoints(): Promise<CheckpointMeta[]> {
    return this.deps.openStore ? this.storage.listCheckpoints() : [];
  }

  async renameCheckpoint(id: string, name: string): Promise<void> {
    await this.storage.renameCheckpoint(id, name);
    if (this.run && id === this.runCheckpointId) this.run.name = checkName(name);
  }

  async deleteCheckpoint(id: string): Promise<void> {
    if (ACTIVE.includes(this.state) && id === this.runCheckpointId)
      throw new UsageError('this checkpoint belongs to the active run; stop the run first');
    await this.storage.deleteCheckpoint(id);
  }

  async exportCheckpoint(id: string): Promise<CheckpointFiles & { baseName: string }> {
    return this.storage.exportCheckpoint(id);
  }

  async importCheckpoint(files: CheckpointFiles, name?: string): Promise<CheckpointMeta> {
    const parsed = parseCheckpoint(files);
    const j = parsed.json;
    validateRunConfig(j.runConfig);
    // Building the model checks every tensor name and shape against the config; nothing is stored on failure.
    if (!this.backend) await this.setBackend('auto');
    LoadedModel.fromCheckpoint(files).dispose();
    const preset = (j.runConfig as { preset: string }).preset;
    const meta = checkpointMeta(newId('import'), name?.trim() || j.name, preset, j, files);
    await (await this.getStore()).putCheckpoint(meta, files);
    return meta;
  }

  private setState(state: RunState, message?: string): void {
    this.state = state;
    this.emit({ type: 'state', state, message });
  }

  private disposeModels(): void {
    this.run?.dispose();
    this.run = null;
    this.loaded?.model.dispose();
    this.loaded = null;
  }

  /** Frees every tensor this service holds and closes its data-parallel replicas (tests, CLI exit). */
  dispose(): void {
    this.disposeModels();
    this.closePool();
  }
}

export function createTrainerService(deps: TrainerDeps): TrainerService {
  return new TrainerService(deps);
}
