/**
 * The trainer API: what workers/trainer.worker.ts exposes through comlink and what the CLI and
 * tests call directly on the service (src/services/trainer/). Types only; every event is plain
 * data so it crosses the worker boundary as is.
 */
import type { BackendChoice, BackendPreference } from './backend.ts';
import type { CheckpointFiles, CheckpointMeta, DatasetMeta } from './store.ts';
import type { Prompt } from '../core/prompt.ts';

/** The built-in demo dataset (src/core/data/demo-records.ts); stored datasets use their store id. */
export const BUILTIN_DEMO_DATASET = 'builtin:demo';

/** One logged optimizer step. Field names follow the CLI's JSON lines (snake_case for the losses). */
export interface TrainProgress {
  /** Optimizer steps completed so far (1-based: the first logged step is 1); StepResult.step counts alike. */
  step: number;
  totalSteps: number;
  /** Fractional epoch: samples consumed ÷ samples per epoch. */
  epoch: number;
  loss: number;
  ce_teacher: number;
  ce_student: number;
  kl: number;
  mask_rate: number;
  /** Learning rate used by this step. */
  lr: number;
  /** Global gradient norm before clipping. */
  grad_norm: number;
  /** Non-padding tokens (teacher + student rows) per second of wall time, over the recent steps. */
  tokens_per_sec: number;
  /** Estimated seconds to the last step. */
  eta_sec: number;
  elapsed_sec: number;
}

export type RunState = 'idle' | 'preparing' | 'running' | 'paused' | 'stopping' | 'finished' | 'stopped' | 'failed';

export type TrainEvent =
  | { type: 'progress'; progress: TrainProgress }
  | { type: 'state'; state: RunState; message?: string }
  | { type: 'checkpoint'; meta: CheckpointMeta }
  /** Sent once when a run starts: the metrics logged so far (non-empty when resuming a checkpoint). */
  | { type: 'history'; history: TrainProgress[]; totalSteps: number }
  /** Setup progress (tokenizer training, dropped records) and non-fatal failures (a checkpoint write refused). */
  | { type: 'log'; message: string; level?: 'info' | 'error' };

export interface StartRequest {
  /** Dataset ids: BUILTIN_DEMO_DATASET and/or stored dataset ids. Ignored when resuming (the checkpoint's are used). */
  datasets: string[];
  /** The run config (validated by the service; ConfigError on unknown keys / bad values). Ignored when resuming. */
  config?: unknown;
  /** Continue this checkpoint's run where it stopped, bit for bit. */
  resumeFrom?: string;
  /** Name of the checkpoint the run writes every `checkpointEvery` steps (default: preset + date). */
  runName?: string;
  /** Write checkpoints (every `checkpointEvery` steps, at the end and on stop). Default true when storage exists. */
  checkpoint?: boolean;
}

export interface TrainSummary {
  state: 'finished' | 'stopped';
  steps: number;
  totalSteps: number;
  /** Last logged losses, or null if no step ran. */
  last: TrainProgress | null;
  /** Checkpoint written at the end of the run (when checkpointing is on). */
  checkpoint: CheckpointMeta | null;
  elapsed_sec: number;
  tokens_per_sec: number;
  backend: BackendChoice;
  /** tfjs instances that computed the run's steps: 1 = this worker; more = data-parallel replicas (docs/performance.md). */
  workers: number;
}

export interface GenerateRequest {
  maxNewTokens: number;
  /** 0 or absent = greedy. */
  temperature?: number;
  topP?: number;
  seed?: number;
}

export interface TrainerStatus {
  state: RunState;
  backend: BackendChoice | null;
  /** The checkpoint whose model is loaded (training or load()), if any. */
  loaded: CheckpointMeta | null;
  presets: string[];
}

export interface TrainerApi {
  /** Picks and initialises the tfjs backend; call before anything else (start() does it with 'auto' otherwise). */
  setBackend(pref: BackendPreference): Promise<BackendChoice>;
  status(): Promise<TrainerStatus>;

  listDatasets(): Promise<DatasetMeta[]>;
  /** Parses JSONL (all-or-nothing; DataFormatError lists the bad lines), stores it with provenance and counts. */
  importDataset(fileName: string, bytes: Uint8Array): Promise<DatasetMeta>;
  /** Several files all-or-nothing: every file is checked before any is stored, and a failed store removes the rest. */
  importDatasets(files: { fileName: string; bytes: Uint8Array }[]): Promise<DatasetMeta[]>;
  deleteDataset(id: string): Promise<void>;

  /** Runs until finished or stopped; events arrive through onEvent (wrap it in Comlink.proxy). */
  start(request: StartRequest, onEvent: (e: TrainEvent) => void): Promise<TrainSummary>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** Stops at the next step boundary; start() then resolves with state 'stopped' after a final checkpoint. */
  stop(): Promise<void>;
  /** Writes the current model (running, paused or finished run) as a checkpoint now. */
  save(name?: string): Promise<CheckpointMeta>;
  /** Loads a checkpoint's model and tokenizer for generate(). */
  load(checkpointId: string): Promise<CheckpointMeta>;
  /** Prompt parts in (src/core/prompt.ts: structure tokens by name, content always ordinary text), text out with the
   *  loaded tokenizer; stops at <|endofblock|> / <|endofmessage|>. onText gets each decoded delta. */
  generate(prompt: Prompt, request: GenerateRequest, onText?: (delta: string) => void): Promise<string>;

  listCheckpoints(): Promise<CheckpointMeta[]>;
  renameCheckpoint(id: string, name: string): Promise<void>;
  deleteCheckpoint(id: string): Promise<void>;
  /** The two files of a checkpoint for download: `<base>.safetensors` + `<base>.json`. */
  exportCheckpoint(id: string): Promise<CheckpointFiles & { baseName: string }>;
  /** Imports an exported pair back (validated: CheckpointError names what is wrong). */
  importCheckpoint(files: CheckpointFiles, name?: string): Promise<CheckpointMeta>;
}
