/**
 * `train`: the trainer service in Node, on the built-in demo data or JSONL files. With --json,
 * stdout is one JSON object per optimizer step, then one summary object; logs go to stderr.
 * Ctrl-C stops at the next step boundary (and saves a checkpoint with --out).
 */
import { nodeDataParallelWanted, openNodeReplica } from '../replica-port.ts';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isBackendPreference, type BackendPreference } from '../../api/backend.ts';
import { BUILTIN_DEMO_DATASET, type TrainEvent, type TrainProgress, type TrainSummary } from '../../api/trainer.ts';
import { ConfigError, UsageError } from '../../core/errors.ts';
import { disposeNodeBackends, selectNodeBackend } from '../../platform/node/backend.ts';
import { FileStore } from '../../platform/node/file-store.ts';
import { effectiveMaskOptions, officialOrder, showOrder } from '../../core/distill/masks.ts';
import { checkpointToModelFiles, parseCheckpointJson } from '../../services/trainer/checkpoint.ts';
import { legacyRunConfig } from '../../services/trainer/run.ts';
import { RUN_PRESETS, validateRunConfig, type RunConfig } from '../../core/train/run-config.ts';
import { RECIPE_NAMES } from '../../core/train/recipes.ts';
import { createTrainerService, type TrainerService } from '../../services/trainer/service.ts';
import { numberArg, parseArgs, stringArg } from '../args.ts';
import type { CliCommand } from '../command.ts';

const usage = `Usage: npm run cli -- train [options]

  --preset <name>       model preset: ${RUN_PRESETS.join(', ')} (default smoke)
  --steps <n>           optimizer steps (train.maxSteps)
  --seed <n>            seed for init, data order and masks (train.seed); same seed → same numbers
  --data <jsonl>...     ReflectionSeq JSONL file(s) to train on (default: the built-in demo data)
  --config <json>       run config file (preset, model overrides, vocabSize, recipe, train, checkpointEvery);
                        --preset/--recipe/--steps/--seed override it
  --recipe <name>       training recipe over the preset's defaults: ${RECIPE_NAMES.join(', ')} (released = the official
                        command's knobs, for pretrained models; see docs/METHOD.md §8)
  --out <dir>           file store: datasets and checkpoints (every checkpointEvery steps, at the end, on Ctrl-C),
                        plus <dir>/model/ (config.json, model.safetensors, tokenizer.json) for \`generate --model\`
  --resume <id>         continue checkpoint <id> from the --out store, bit for bit
  --backend <b>         auto | wasm | cpu | webgpu (default auto = wasm)
  --json                one JSON object per step on stdout, then a summary object

JSON step fields: step, epoch, loss, ce_teacher, ce_student, kl, mask_rate, lr, grad_norm, tokens_per_sec, eta_sec.
The summary object also names the objective, batching, recipe, and the mask strategy and block order used.

RCW_DATA_PARALLEL=N trains on N wasm workers (this process + N−1 worker threads; default 1): the same numbers,
up to float summation order (docs/performance.md).`;

async function readJson(file: string): Promise<unknown> {
  const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new UsageError(`--config: cannot read ${file} (${e.code ?? e.message})`);
  });
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`--config ${file}: not valid JSON (${(e as Error).message})`);
  }
}

function stepLine(p: TrainProgress): string {
  return JSON.stringify({
    step: p.step,
    epoch: p.epoch,
    loss: p.loss,
    ce_teacher: p.ce_teacher,
    ce_student: p.ce_student,
    kl: p.kl,
    mask_rate: p.mask_rate,
    lr: p.lr,
    grad_norm: p.grad_norm,
    tokens_per_sec: p.tokens_per_sec,
    eta_sec: p.eta_sec,
  });
}

function humanLine(p: TrainProgress): string {
  const f = (x: number) => x.toFixed(4);
  return (
    `step ${p.step}/${p.totalSteps}  loss ${f(p.loss)}  ce_teacher ${f(p.ce_teacher)}  ce_student ${f(p.ce_student)}  kl ${f(p.kl)}  ` +
    `mask ${p.mask_rate.toFixed(3)}  lr ${p.lr.toExponential(2)}  ${Math.round(p.tokens_per_sec)} tok/s  ETA ${p.eta_sec.toFixed(0)} s`
  );
}

/** What the summary says about the method: objective, batching, recipe, mask strategy and order (both spellings). */
function methodOf(c: RunConfig) {
  const t = c.train;
  return {
    objective: t.objective,
    batching: t.batching,
    recipe: c.recipe,
    mask: {
      strategy: effectiveMaskOptions(t.mask, t.ablation).strategy,
      order: t.mask.order,
      order_official: officialOrder(t.mask.order),
    },
  };
}

interface TrainArgs {
  json: boolean;
  backend: BackendPreference;
  out?: string;
  resume?: string;
  dataFiles: string[];
  runConfig: Record<string, unknown>;
}

/** Flags and the --config file → what to run (the config is validated later, by the service and for the summary). */
async function parseTrainArgs(argv: string[]): Promise<TrainArgs> {
  const args = parseArgs(argv, {
    values: ['preset', 'recipe', 'steps', 'seed', 'config', 'out', 'resume', 'backend'],
    flags: ['json'],
    multi: ['data'],
  });
  if (args.positional.length) throw new UsageError(`unexpected argument "${args.positional[0]}"; see train --help`);
  const backend = stringArg(args, 'backend') ?? 'auto';
  if (!isBackendPreference(backend))
    throw new UsageError(`--backend: expected auto, webgpu, wasm or cpu, found "${backend}"`);
  const out = stringArg(args, 'out');
  const resume = stringArg(args, 'resume');
  if (resume && !out) throw new UsageError('--resume needs --out <dir> (the store that holds the checkpoint)');

  // Config: file, then flags on top.
  const config = (stringArg(args, 'config') ? await readJson(stringArg(args, 'config')!) : {}) as Record<
    string,
    unknown
  >;
  if (typeof config !== 'object' || config === null || Array.isArray(config))
    throw new ConfigError('--config: expected a JSON object');
  const train = { ...((config.train as Record<string, unknown> | undefined) ?? {}) };
  if (args.flags.has('steps')) train.maxSteps = numberArg(args, 'steps', 0, { integer: true, min: 1 });
  if (args.flags.has('seed')) train.seed = numberArg(args, 'seed', 0, { integer: true, min: 0, max: 0xffffffff });
  const preset = stringArg(args, 'preset');
  const recipe = stringArg(args, 'recipe');
  const runConfig = {
    ...config,
    ...(preset ? { preset } : {}),
    ...(recipe ? { recipe } : {}),
    train,
    progressEvery: 1,
  };
  return { json: args.flags.has('json'), backend, out, resume, dataFiles: args.all.get('data') ?? [], runConfig };
}

/** Imports the --data files (all or none: a bad second file must not leave the first one stored); their ids. */
async function importDataFiles(svc: TrainerService, dataFiles: string[]): Promise<string[]> {
  const files: { fileName: string; bytes: Uint8Array }[] = [];
  for (const f of dataFiles) {
    const bytes = await readFile(f).catch((e: NodeJS.ErrnoException) => {
      throw new UsageError(`--data: cannot read ${f} (${e.code ?? e.message})`);
    });
    files.push({ fileName: path.basename(f), bytes: new Uint8Array(bytes) });
  }
  const datasets: string[] = [];
  for (const meta of files.length ? await svc.importDatasets(files) : []) {
    process.stderr.write(
      `dataset ${meta.name}: ${meta.counts.reflection} reflection, ${meta.counts.generation} generation, ${meta.counts.dropped} duplicates dropped (sha-256 ${meta.provenance.sha256.slice(0, 12)}…)\n`,
    );
    datasets.push(meta.id);
  }
  return datasets.length ? datasets : [BUILTIN_DEMO_DATASET];
}

/** Writes <out>/model/ (config.json, model.safetensors, tokenizer.json) from a stored checkpoint; its path. */
async function writeModelFolder(store: FileStore, out: string, checkpointId: string): Promise<string> {
  const got = await store.getCheckpoint(checkpointId);
  const m = checkpointToModelFiles(got!.files);
  const modelDir = path.resolve(out, 'model');
  await mkdir(modelDir, { recursive: true });
  await writeFile(path.join(modelDir, 'config.json'), m.configJson);
  await writeFile(path.join(modelDir, 'model.safetensors'), m.safetensors);
  await writeFile(path.join(modelDir, 'tokenizer.json'), m.tokenizerJson);
  process.stderr.write(`model (Hugging Face layout) → ${modelDir}\n`);
  return modelDir;
}

/** The summary: one JSON object with --json, else a line for a person (and the method on stderr). */
function printSummary(
  summary: TrainSummary,
  opts: { json: boolean; storeDir: string | null; modelDir: string | null; resolved: RunConfig | null },
): void {
  const method = opts.resolved ? methodOf(opts.resolved) : null;
  const line = {
    summary: true,
    state: summary.state,
    steps: summary.steps,
    totalSteps: summary.totalSteps,
    backend: summary.backend.backend,
    loss: summary.last?.loss ?? null,
    ce_teacher: summary.last?.ce_teacher ?? null,
    ce_student: summary.last?.ce_student ?? null,
    kl: summary.last?.kl ?? null,
    elapsed_sec: summary.elapsed_sec,
    tokens_per_sec: summary.tokens_per_sec,
    workers: summary.workers,
    checkpoint: summary.checkpoint
      ? { id: summary.checkpoint.id, dir: path.resolve(opts.storeDir!, 'checkpoints', summary.checkpoint.id) }
      : null,
    model: opts.modelDir,
    ...method,
  };
  if (method && !opts.json)
    process.stderr.write(
      `objective ${method.objective}, batching ${method.batching}, recipe ${method.recipe}, mask ${method.mask.strategy}, order ${showOrder(method.mask.order as never)}\n`,
    );
  process.stdout.write(
    (opts.json
      ? JSON.stringify(line)
      : `${summary.state}: ${summary.steps}/${summary.totalSteps} steps in ${summary.elapsed_sec.toFixed(1)} s, ${Math.round(summary.tokens_per_sec)} tok/s${summary.workers > 1 ? ` on ${summary.workers} data-parallel workers` : ''}${line.checkpoint ? `, checkpoint ${line.checkpoint.dir}` : ''}`) +
      '\n',
  );
}

export const trainCommand: CliCommand = {
  name: 'train',
  summary: 'Train with reflection self-distillation (same service as the web worker)',
  usage,
  async run(argv) {
    const { json, backend, out, resume, dataFiles, runConfig } = await parseTrainArgs(argv);
    // Validated here too, so a bad config fails before any dataset is imported, and the summary can name the method.
    let resolved: RunConfig | null = resume ? null : validateRunConfig(runConfig);

    // Imported files need a store; without --out a temporary one is used and removed at exit.
    const tmp = !out && dataFiles.length ? await mkdtemp(path.join(tmpdir(), 'rc-train-')) : null;
    const storeDir = out ?? tmp;
    const store = storeDir ? new FileStore(path.resolve(storeDir)) : null;
    const svc = createTrainerService({
      selectBackend: selectNodeBackend,
      openStore: store ? async () => store : undefined,
      yieldFn: () => new Promise((r) => setImmediate(r)),
      dataParallel: { instances: nodeDataParallelWanted, openReplica: openNodeReplica },
    });
    const onSigint = () => {
      process.stderr.write('\nstopping at the next step boundary…\n');
      void svc.stop();
    };
    process.once('SIGINT', onSigint);
    try {
      const choice = await svc.setBackend(backend);
      process.stderr.write(`backend: ${choice.backend} (${choice.reason})\n`);
      const datasets = await importDataFiles(svc, dataFiles);
      const onEvent = (e: TrainEvent) => {
        if (e.type === 'progress') process.stdout.write((json ? stepLine(e.progress) : humanLine(e.progress)) + '\n');
        else if (e.type === 'log') process.stderr.write(e.message + '\n');
        else if (e.type === 'checkpoint')
          process.stderr.write(`checkpoint ${e.meta.id} at step ${e.meta.step} → ${storeDir}\n`);
      };
      const summary = await svc.start(
        resume ? { datasets: [], resumeFrom: resume } : { datasets, config: runConfig, checkpoint: !!out },
        onEvent,
      );
      if (!resolved && store && resume) {
        const got = await store.getCheckpoint(resume);
        if (got) resolved = validateRunConfig(legacyRunConfig(parseCheckpointJson(got.files.json).runConfig));
      }
      const modelDir =
        store && out && summary.checkpoint ? await writeModelFolder(store, out, summary.checkpoint.id) : null;
      printSummary(summary, { json, storeDir, modelDir, resolved });
      return 0;
    } finally {
      process.off('SIGINT', onSigint);
      svc.dispose();
      disposeNodeBackends();
      if (tmp) await rm(tmp, { recursive: true, force: true });
    }
  },
};
