/** The pretrained-model worker's API (workers/pretrained.worker.ts): open a Hugging Face folder, LoRA fine-tune, generate, export. */
import type { BackendChoice, BackendPreference } from './backend.ts';

export interface OpenedModelInfo {
  label: string;
  arch: string;
  params: number;
  vocabSize: number;
  layers: number;
  dim: number;
  tied: boolean;
  hasTokenizer: boolean;
  promptStyle: 'chat' | 'completion' | null;
  files: string[];
}

export interface FinetuneRequest {
  /** ReflectionCoder records, JSONL text. */
  recordsJsonl: string;
  maxSteps: number;
  batchSize: number;
  maxLen: number;
  lr: number;
  rank: number;
  alpha: number;
  dropout: number;
}

export interface FinetuneProgress {
  step: number;
  totalSteps: number;
  loss: number;
}

export interface PretrainedApi {
  setBackend(pref: BackendPreference): Promise<BackendChoice>;
  /** Opens a picked/dropped folder (File objects; names inside the folder). */
  open(files: File[], onProgress?: (fraction: number) => void): Promise<OpenedModelInfo>;
  finetune(
    req: FinetuneRequest,
    onProgress?: (p: FinetuneProgress) => void,
  ): Promise<{ losses: number[]; addedTokens: string[] }>;
  generate(
    prompt: { text?: string; ids?: number[] },
    maxNewTokens: number,
  ): Promise<{ ids: number[]; text: string | null }>;
  /** The exported folder as files (name → bytes). */
  exportModel(format: 'peft' | 'merged'): Promise<{ name: string; bytes: Uint8Array }[]>;
}
