/**
 * `import`: released ReflectionSeq / CodeFeedback files → one JSONL file of training records, with the
 * official src/data/download.py conversion (docs/METHOD.md §1). All files or none: every bad row of
 * every file is reported, and nothing is written unless all of them convert.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DataFormatError, UsageError } from '../../core/errors.ts';
import { formatIgnoredKeys, formatLineErrors, recordsToJsonl } from '../../core/records/jsonl.ts';
import { importReleased } from '../../core/records/released.ts';
import type { IgnoredKeys, ReflectionRecord } from '../../core/records/schema.ts';
import { parseArgs, stringArg } from '../args.ts';
import type { CliCommand } from '../command.ts';

const usage = `Usage: npm run cli -- import <file>... --out <records.jsonl> [--json]

  <file>...      released rows, JSON Lines or one JSON array:
                   ReflectionSeq rows {messages, type} (messages as a list or a JSON string), taken as released;
                   CodeFeedback rows {query, answer}: html.unescape, and for the answer CRLF → LF,
                   tab → 4 spaces, strip (as the official src/data/download.py)
  --out <file>   the records, one per line, in the training schema (train --data <file>)
  --json         print the summary as one JSON object

Unknown keys are ignored and counted; a bad row anywhere means nothing is written.`;

export const importCommand: CliCommand = {
  name: 'import',
  summary: 'Convert released ReflectionSeq / CodeFeedback files to training records (official normalisation)',
  usage,
  async run(argv) {
    const args = parseArgs(argv, { values: ['out'], flags: ['json'] });
    const out = stringArg(args, 'out');
    if (args.positional.length === 0) throw new UsageError(`expected at least one file to import\n\n${usage}`);
    if (!out) throw new UsageError('--out <records.jsonl> is required');
    const records: ReflectionRecord[] = [];
    const ignored: IgnoredKeys = new Map();
    const files: { file: string; records: number; codeFeedback: number; reflectionSeq: number }[] = [];
    const problems: string[] = [];
    for (const file of args.positional) {
      const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
        throw new UsageError(`cannot read ${file} (${e.code ?? e.message})`);
      });
      let res;
      try {
        res = importReleased(text);
      } catch (e) {
        if (e instanceof DataFormatError) {
          problems.push(`${file}: ${e.message}`);
          continue;
        }
        throw e;
      }
      if (res.errors.length > 0) {
        problems.push(`${file}: ${formatLineErrors(res.errors)}`);
        continue;
      }
      if (res.records.length === 0) problems.push(`${file}: no rows`);
      for (const r of res.records) records.push(r);
      for (const [k, n] of res.ignoredKeys) ignored.set(k, (ignored.get(k) ?? 0) + n);
      files.push({ file, records: res.records.length, ...res.counts });
    }
    if (problems.length > 0) throw new DataFormatError(`nothing written: ${problems.join('; ')}`);
    // Written next to the target, then renamed: a reader never sees half a file.
    const tmp = path.join(path.dirname(path.resolve(out)), `.${path.basename(out)}.${process.pid}.tmp`);
    await writeFile(tmp, recordsToJsonl(records));
    await rename(tmp, out);
    const reflection = records.filter((r) => r.type === 'reflection').length;
    const summary = {
      out: path.resolve(out),
      records: records.length,
      reflection,
      generation: records.length - reflection,
      files,
      ignored_keys: Object.fromEntries(ignored),
    };
    const warning = formatIgnoredKeys(ignored);
    if (warning) process.stderr.write(`warning: ${warning}\n`);
    if (args.flags.has('json')) process.stdout.write(JSON.stringify(summary) + '\n');
    else
      process.stdout.write(
        `${records.length} records (${reflection} reflection, ${records.length - reflection} generation) → ${summary.out}\n`,
      );
    return 0;
  },
};
