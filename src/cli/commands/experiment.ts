/**
 * `experiment`: the ablation of paper Tables 2/3 on the generated task family (docs/experiment.md). Trains every
 * variant for every seed on the built-in data (public/demo/), evaluates greedy pass@1 on the seen- and
 * unseen-template test splits in the Python sandbox, and writes the results (JSON and a Markdown table) to
 * --out. Finished cells are saved as they finish, so Ctrl-C and a rerun with the same --out continue where it
 * stopped.
 */
import { nodeDataParallelWanted, openNodeReplica } from '../replica-port.ts';
import { poolFor, type DataParallelPool } from '../../services/trainer/data-parallel.ts';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isBackendPreference } from '../../api/backend.ts';
import type { CheckpointFiles } from '../../api/store.ts';
import { UsageError } from '../../core/errors.ts';
import { disposeNodeBackends, selectNodeBackend } from '../../platform/node/backend.ts';
import { createNodePython } from '../python-node.ts';
import { parseExperimentData } from '../../services/experiment/data.ts';
import { FileResultStore } from '../../platform/node/experiment-results.ts';
import { experimentPreset } from '../../services/experiment/presets.ts';
import { runExperiment, summaryLine, type ExperimentEvent } from '../../services/experiment/runner.ts';
import { markdownTable } from '../../services/experiment/stats.ts';
import { TABLE2_VARIANTS, variantsByName } from '../../services/experiment/variants.ts';
import { numberArg, parseArgs, stringArg } from '../args.ts';
import type { CliCommand } from '../command.ts';

const DEMO_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../public/demo');

const usage = `Usage: npm run cli -- experiment [options]

  --preset <p>        smoke | demo | full (default smoke)
  --seeds <n>         seeds first..first+n-1 (default: the preset's count, demo 3)
  --first-seed <k>    the first seed (default 0); e.g. one process per seed, same --out
  --variants <list>   comma-separated (default reflectioncoder,no-dynamic-mask,no-distillation,no-reflection-data;
                      optional: order-ECA, order-AEC, order-ACE, order-CEA, order-CAE, mask-sequential, mask-random)
  --out <dir>         results folder (default experiment-results/<preset>): results.json, results.md, cells/,
                      models/<variant>@<seed>/ (checkpoints for evaluate --model); a rerun with the same folder
                      skips finished cells (resume after Ctrl-C)
  --data <dir>        folder with instruction.jsonl, reflection.jsonl, validation.jsonl (default public/demo)
  --backend <b>       auto | wasm | cpu | webgpu (default auto = wasm)
  --json              one JSON object per finished cell, then the summary object as the last line

  RCW_DATA_PARALLEL=N trains each cell on N wasm workers (this process + N−1 worker threads; default 1)`;

const fmtEta = (s: number | null): string =>
  s === null ? '?' : s < 90 ? `${Math.round(s)} s` : `${(s / 60).toFixed(1)} min`;

export const experimentCommand: CliCommand = {
  name: 'experiment',
  summary: 'Run the ablation (Tables 2/3) on the generated tasks: train variants × seeds, evaluate pass@1',
  usage,
  async run(argv) {
    const args = parseArgs(argv, {
      values: ['preset', 'seeds', 'first-seed', 'variants', 'out', 'data', 'backend'],
      flags: ['json'],
    });
    const preset = experimentPreset(stringArg(args, 'preset') ?? 'smoke');
    const nSeeds = numberArg(args, 'seeds', preset.seeds, { integer: true, min: 1, max: 50 });
    const firstSeed = numberArg(args, 'first-seed', 0, { integer: true, min: 0, max: 1_000_000 });
    const seeds = Array.from({ length: nSeeds }, (_, i) => firstSeed + i);
    const variants = args.flags.has('variants')
      ? variantsByName(
          stringArg(args, 'variants')!
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
        )
      : TABLE2_VARIANTS;
    const out = path.resolve(stringArg(args, 'out') ?? path.join('experiment-results', preset.name));
    const dataDir = stringArg(args, 'data') ?? DEMO_DIR;
    const backend = stringArg(args, 'backend') ?? 'auto';
    if (!isBackendPreference(backend))
      throw new UsageError(`--backend: expected auto, webgpu, wasm or cpu, found "${backend}"`);
    const json = args.flags.has('json');
    const read = async (f: string): Promise<string> => {
      try {
        return await readFile(path.join(dataDir, f), 'utf8');
      } catch {
        throw new UsageError(`--data: ${path.join(dataDir, f)} cannot be read (npm run make-data writes it)`);
      }
    };
    const data = parseExperimentData({
      instruction: await read('instruction.jsonl'),
      reflection: await read('reflection.jsonl'),
      validation: await read('validation.jsonl'),
    });
    const controller = new AbortController();
    const onSigint = () => {
      process.stderr.write('\nstopping; finished cells are saved, rerun with the same --out to continue\n');
      controller.abort();
    };
    process.once('SIGINT', onSigint);
    const python = createNodePython({ pristine: true, graceMs: 1000 });
    let pool: DataParallelPool | null = null;
    try {
      const choice = await selectNodeBackend(backend);
      const instances = nodeDataParallelWanted();
      pool = poolFor(null, choice.backend === 'wasm' ? instances : 1, openNodeReplica);
      process.stderr.write(
        `backend: ${choice.backend} (${choice.reason}${pool ? `, ${instances} data-parallel workers` : ''}); preset ${preset.name}, seeds ${seeds.join(',')}, results in ${out}\n`,
      );
      await python.start();
      let lastLog = 0;
      const onEvent = (e: ExperimentEvent) => {
        if (e.type === 'plan') process.stderr.write(`${e.cells} cells, ${e.done} already finished\n`);
        if (e.type === 'cell' && e.event.type === 'note') process.stderr.write(`  ${e.event.message}\n`);
        if (
          e.type === 'cell' &&
          e.event.type === 'train' &&
          (Date.now() - lastLog > 5000 || e.event.step === e.event.total)
        ) {
          lastLog = Date.now();
          process.stderr.write(
            `  ${e.key.split('/').pop()}: step ${e.event.step}/${e.event.total} loss ${e.event.loss.toFixed(3)}\n`,
          );
        }
        if (e.type === 'cell-done') {
          const r = e.result;
          const line = {
            cell: e.key.split('/').pop(),
            cached: e.cached,
            variant: r.variant,
            seed: r.seed,
            seen: r.seen.passAt1,
            unseen: r.unseen.passAt1,
            valLoss: r.valLoss,
            trainSec: r.trainSec,
            evalSec: r.evalSec,
            etaSec: e.etaSec,
          };
          if (json) process.stdout.write(JSON.stringify(line) + '\n');
          process.stderr.write(
            `[${e.index + 1}/${e.cells}] ${r.variant}@${r.seed}${e.cached ? ' (saved)' : ''}: seen ${r.seen.passed}/${r.seen.total}, unseen ${r.unseen.passed}/${r.unseen.total}${r.valLoss !== null ? `, val loss ${r.valLoss.toFixed(3)}` : ''}; ETA ${fmtEta(e.etaSec)}\n`,
          );
        }
      };
      // Trained models, loadable with `evaluate --model <out>/models/<variant>@<seed>`.
      const saveCheckpoint = async (c: { variant: string; seed: number }, files: CheckpointFiles) => {
        const dir = path.join(out, 'models', `${c.variant}@${c.seed}`);
        await mkdir(dir, { recursive: true });
        await writeFile(path.join(dir, 'checkpoint.safetensors'), files.safetensors);
        await writeFile(path.join(dir, 'checkpoint.json'), files.json);
      };
      const result = await runExperiment({
        preset,
        seeds,
        variants,
        data,
        python,
        store: new FileResultStore(out),
        onEvent,
        signal: controller.signal,
        saveCheckpoint,
        pool,
      });
      const md = markdownTable(result.rows, {
        preset: preset.name,
        seeds,
        seenTasks: result.cells[0]?.seen.total ?? 0,
        unseenTasks: result.cells[0]?.unseen.total ?? 0,
      });
      await mkdir(out, { recursive: true });
      await writeFile(path.join(out, 'results.json'), JSON.stringify(result, null, 1) + '\n');
      await writeFile(path.join(out, 'results.md'), md);
      if (json) process.stdout.write(summaryLine(result) + '\n');
      else process.stdout.write(md);
      return 0;
    } catch (e) {
      if (controller.signal.aborted) return 130;
      throw e;
    } finally {
      process.off('SIGINT', onSigint);
      python.dispose();
      pool?.dispose();
      disposeNodeBackends();
    }
  },
};
