/**
 * `backends`: which tfjs backends start in Node on this machine, and whether each computes the
 * same n×n matmul as the cpu reference. It runs the code the browser's probe worker runs
 * (services/probe.ts) on the Node backend selection (platform/node/backend.ts).
 */
import type { BackendName } from '../../api/backend.ts';
import type { MatmulCheck } from '../../api/probe.ts';
import { UsageError } from '../../core/errors.ts';
import { disposeNodeBackends, selectNodeBackend } from '../../platform/node/backend.ts';
import { matmulAgainstCpu } from '../../services/probe.ts';
import { numberArg, parseArgs, stringArg } from '../args.ts';
import type { CliCommand } from '../command.ts';

const ALL: BackendName[] = ['cpu', 'wasm', 'webgpu'];

const usage = `Usage: npm run cli -- backends [options]

Starts each tfjs backend in Node and multiplies two seeded n×n matrices on it and on cpu.

  --size <n>        matrix size (default 256)
  --seed <n>        matrix seed (default 1)
  --only <list>     comma-separated subset of ${ALL.join(',')} (default: all)
  --json            print one JSON object instead of the table`;

export interface BackendReport {
  backend: BackendName;
  ok: boolean;
  reason: string;
  adapter?: string;
  /** First run (includes initialisation / shader compilation) and second run. */
  coldMs?: number;
  warmMs?: number;
  gflops?: number;
  maxAbsDiff?: number;
}

async function checkOne(name: BackendName, n: number, seed: number): Promise<BackendReport> {
  let choice;
  try {
    choice = await selectNodeBackend(name);
  } catch (e) {
    return { backend: name, ok: false, reason: (e as Error).message };
  }
  const cold: MatmulCheck = await matmulAgainstCpu(n, seed);
  const warm: MatmulCheck = await matmulAgainstCpu(n, seed);
  return {
    backend: name,
    ok: warm.maxAbsDiff < 1e-3,
    reason: choice.reason,
    ...(choice.adapter ? { adapter: choice.adapter } : {}),
    coldMs: cold.ms,
    warmMs: warm.ms,
    gflops: (2 * n ** 3) / (warm.ms * 1e6),
    maxAbsDiff: Math.max(cold.maxAbsDiff, warm.maxAbsDiff),
  };
}

export const backendsCommand: CliCommand = {
  name: 'backends',
  summary: 'List the tfjs backends that work here and check a matmul on each against cpu',
  usage,
  async run(argv) {
    const args = parseArgs(argv, { values: ['size', 'seed', 'only'], flags: ['json'] });
    const n = numberArg(args, 'size', 256, { integer: true, min: 1, max: 2048 });
    const seed = numberArg(args, 'seed', 1, { integer: true, min: 0 });
    const only = stringArg(args, 'only');
    const names = only ? only.split(',').map((s) => s.trim()) : ALL;
    for (const s of names)
      if (!(ALL as string[]).includes(s))
        throw new UsageError(`--only: expected names from ${ALL.join(', ')}, found "${s}"`);
    const reports: BackendReport[] = [];
    try {
      for (const name of names as BackendName[]) reports.push(await checkOne(name, n, seed));
    } finally {
      disposeNodeBackends();
    }
    if (args.flags.has('json')) {
      console.log(JSON.stringify({ size: n, seed, backends: reports }, null, 2));
    } else {
      console.log(`tfjs backends in Node, ${n}×${n} matmul vs cpu (seed ${seed}):`);
      for (const r of reports) {
        if (!r.ok && r.maxAbsDiff === undefined) {
          console.log(`  ✗ ${r.backend.padEnd(7)} unavailable: ${r.reason}`);
          continue;
        }
        const mark = r.ok ? '✓' : '✗';
        console.log(
          `  ${mark} ${r.backend.padEnd(7)} max|diff| ${r.maxAbsDiff!.toExponential(1).padEnd(8)} ` +
            `cold ${r.coldMs!.toFixed(0).padStart(5)} ms  warm ${r.warmMs!.toFixed(1).padStart(7)} ms  ` +
            `${r.gflops!.toFixed(2).padStart(6)} GFLOP/s  (${r.reason})`,
        );
      }
    }
    // Success means: every backend that started agrees with cpu, and cpu itself started.
    const broken = reports.filter((r) => r.maxAbsDiff !== undefined && !r.ok);
    return broken.length === 0 && reports.some((r) => r.ok) ? 0 : 1;
  },
};
