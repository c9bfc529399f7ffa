/**
 * EvalPlus's check of one sample (evalplus/evaluate.py check_correctness → untrusted_check, fast_check on):
 * the canonical solution's time per input is measured once per task (cached; it sets the per-input limits), and
 * every check recomputes the expected outputs from the canonical solution before running the sample's program
 * (`solution`, or prompt + completion) runs on the base inputs and, in a fresh interpreter, on the plus inputs.
 * Statuses are EvalPlus's: "pass" | "fail" | "timeout". A HumanEval+ sample passes when both pass.
 */
import type { PythonChecker } from '../../api/python.ts';
import type { EvalPlusProblem } from '../../core/eval/problem-file.ts';
import { PythonRuntimeError } from '../../core/errors.ts';

export type EvalPlusStatus = 'pass' | 'fail' | 'timeout';

export interface EvalPlusVerdict {
  base_status: EvalPlusStatus;
  plus_status: EvalPlusStatus;
  base_passed: boolean;
  plus_passed: boolean;
  passed: boolean;
  checkMs: number;
}

interface Truth {
  base_time: number[];
  plus_time: number[];
  base_timeout: number;
  plus_timeout: number;
}

/** Running the canonical solution on every input is trusted but may be slow: MBPP+'s Mbpp/599 sums range(10**8)
 * on 16 inputs, 2.4 s each in CPython and ~25 s each here (wasm32's C long overflows sum's integer fast path). */
const TRUTH_TIMEOUT_MS = 1_800_000;
/** Extra seconds for a check's run besides EvalPlus's own limit (parsing the inputs, restoring the snapshot). */
const CANONICAL_SLACK_S = 5;

export class EvalPlusChecker {
  private readonly truths = new Map<string, Promise<Truth>>();

  constructor(private readonly checker: PythonChecker) {}

  /** Expected outputs and time limits of a task, computed once (EvalPlus's get_groundtruth). */
  truth(problem: EvalPlusProblem): Promise<Truth> {
    let t = this.truths.get(problem.task_id);
    if (!t) {
      t = (async () => {
        const out = await this.checker.check(
          'evalplus-truth',
          { problem: problem.raw },
          { timeoutMs: TRUTH_TIMEOUT_MS },
        );
        if (out.status !== 'ok' || !Array.isArray(out.value.base_time)) {
          const why =
            out.status === 'ok' ? String(out.value.error) : out.status === 'crashed' ? out.message : 'timed out';
          throw new PythonRuntimeError(
            `${problem.task_id}: the canonical solution failed on its own inputs (${why.slice(0, 300)})`,
          );
        }
        return out.value as unknown as Truth;
      })();
      this.truths.set(problem.task_id, t);
    }
    return t;
  }

  async check(problem: EvalPlusProblem, sample: { completion: string; solution?: string }): Promise<EvalPlusVerdict> {
    const truth = await this.truth(problem);
    const solution = sample.solution ?? problem.prompt + sample.completion;
    const t0 = performance.now();
    const base = await this.part(problem, truth, solution, 'base');
    const plus = await this.part(problem, truth, solution, 'plus');
    return {
      base_status: base,
      plus_status: plus,
      base_passed: base === 'pass',
      plus_passed: plus === 'pass',
      passed: base === 'pass' && plus === 'pass',
      checkMs: performance.now() - t0,
    };
  }

  private async part(
    problem: EvalPlusProblem,
    truth: Truth,
    solution: string,
    part: 'base' | 'plus',
  ): Promise<EvalPlusStatus> {
    // EvalPlus's process limit, plus room for recomputing the expected outputs inside the same run (the
    // canonical solution's own time, doubled for a busy machine).
    const canonicalSec = (part === 'base' ? truth.base_time : truth.plus_time).reduce((a, b) => a + b, 0);
    const timeoutMs =
      ((part === 'base' ? truth.base_timeout : truth.plus_timeout) + 2 * canonicalSec + CANONICAL_SLACK_S) * 1000;
    const out = await this.checker.check(
      'evalplus',
      { problem: problem.raw, times: part === 'base' ? truth.base_time : truth.plus_time, part, solution },
      { timeoutMs },
    );
    if (out.status === 'ok') {
      const status = out.value.status;
      if (status === 'pass' || status === 'fail' || status === 'timeout') return status;
      // A KeyboardInterrupt the sample raised itself while its program was executed (one the supervisor sent
      // arrives as a timeout): EvalPlus's `except BaseException` makes that "fail".
      if (out.value.keyboard_interrupt === true) return 'fail';
      throw new PythonRuntimeError(
        `${problem.task_id}: the EvalPlus check failed (${String(out.value.error).slice(0, 300)})`,
      );
    }
    // Killed at the limit, or the interpreter died: EvalPlus finds no status and records "timeout".
    return 'timeout';
  }
}
