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
  /**
   * How HumanEval asks this model (docs/pretrained.md): `reflection` = the paper's prompt (the tokenizer has the
   * seven ReflectionCoder tokens), `chat` = its chat template, `completion` = plain completion; null = no tokenizer.
   */
  promptStyle: 'reflection' | 'chat' | 'completion' | null;
  files: string[];
  /** Set once this session fine-tuned the model (generation and evaluation then use the adapter). */
  finetuned: { mode: 'lora'; steps: number; lastLoss: number } | null;
}

/** Decoding for one HumanEval answer (the Evaluate panel's settings; sample j uses seed + j). */
export interface HumanEvalRequest {
  maxNewTokens: number;
  temperature: number;
  topP: number;
  seed: number;
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
  /** What is open now (with its fine-tuned state), or null. */
  info(): Promise<OpenedModelInfo | null>;
  /**
   * One HumanEval answer from the opened model (its adapter too, once fine-tuned), in the prompt style of
   * `info().promptStyle`, returned as the text the evaluation's post-processing expects (hf-generation.ts).
   */
  humanEvalAnswer(problemPrompt: string, req: HumanEvalRequest): Promise<string>;
  /** The exported folder as files (name → bytes). */
  exportModel(format: 'peft' | 'merged'): Promise<{ name: string; bytes: Uint8Array }[]>;
}
