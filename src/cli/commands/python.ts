/**
 * `python`: run a Python file in the Node sandbox (Pyodide in a permission-restricted child process) and
 * print what a notebook cell would show. Exit code 0 ok, 1 error, 2 timeout.
 */
import { existsSync, readFileSync } from 'node:fs';
import { UsageError } from '../../core/errors.ts';
import { executionText } from '../../core/reflect/text.ts';
import { createNodePython } from '../python-node.ts';
import { numberArg, parseArgs } from '../args.ts';
import type { CliCommand } from '../command.ts';

const usage = `Usage: npm run cli -- python <file.py> [--timeout <ms>] [--json]

  --timeout <ms>   wall-clock limit (default 10000)
  --json           print the RunResult as JSON instead of the cell output`;

export const pythonCommand: CliCommand = {
  name: 'python',
  summary: 'Run a Python file in the sandboxed Pyodide (no files, processes or network)',
  usage,
  async run(argv) {
    const args = parseArgs(argv, { values: ['timeout'], flags: ['json'] });
    const file = args.positional[0];
    if (!file || args.positional.length > 1) throw new UsageError(`expected one Python file\n\n${usage}`);
    if (!existsSync(file)) throw new UsageError(`${file} does not exist`);
    const timeoutMs = numberArg(args, 'timeout', 10_000, { min: 100, max: 600_000 });
    const py = createNodePython();
    try {
      const r = await py.run(readFileSync(file, 'utf8'), { mode: 'isolated', timeoutMs });
      if (args.flags.has('json')) console.log(JSON.stringify(r));
      else process.stdout.write(executionText(r).replace(/([^\n])$/, '$1\n'));
      console.error(`${r.status} in ${r.durationMs.toFixed(1)} ms`);
      return r.status === 'ok' ? 0 : r.status === 'timeout' ? 2 : 1;
    } finally {
      py.dispose();
    }
  },
};
