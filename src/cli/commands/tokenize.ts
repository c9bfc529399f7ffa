/**
 * `tokenize`: a Hugging Face tokenizer (a folder with tokenizer.json) over JSON lines on stdin:
 * each `{"text": …}` line gives one `{"ids": […]}` line on stdout.
 */
import { createInterface } from 'node:readline';
import { DataFormatError, UsageError } from '../../core/errors.ts';
import { loadHFTokenizer } from '../../core/tokenizer/hf-load.ts';
import { nodeModelSource } from '../../platform/node/model-folder.ts';
import { parseArgs, stringArg } from '../args.ts';
import type { CliCommand } from '../command.ts';

const usage = `Usage: npm run cli -- tokenize --tokenizer <folder> [--add-reflection-tokens] [--plain] < in.jsonl > out.jsonl

  --tokenizer <folder>      a folder with tokenizer.json (and tokenizer_config.json)
  --add-reflection-tokens   first add the seven ReflectionCoder tokens as special tokens (official order;
                            ids len(tokenizer) … len(tokenizer)+6)
  --plain                   text is always ordinary text: added/special token strings are not recognised

Default: exactly what Hugging Face tokenizers gives with add_special_tokens=false (added tokens written in
the text are recognised). Reads {"text": "..."} lines from stdin; writes {"ids": [...]} lines.`;

export const tokenizeCommand: CliCommand = {
  name: 'tokenize',
  summary: 'Tokenize {"text"} JSON lines with a Hugging Face tokenizer.json',
  usage,
  async run(argv) {
    const args = parseArgs(argv, { values: ['tokenizer'], flags: ['add-reflection-tokens', 'plain'] });
    const dir = stringArg(args, 'tokenizer');
    if (!dir) throw new UsageError(`--tokenizer is required\n\n${usage}`);
    let tok = await loadHFTokenizer(nodeModelSource(dir));
    if (!tok) throw new UsageError(`--tokenizer: ${dir} has no tokenizer.json`);
    if (args.flags.has('add-reflection-tokens')) tok = tok.withReflectionTokens().tokenizer;
    const plain = args.flags.has('plain');
    const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
    let n = 0;
    for await (const line of rl) {
      n++;
      if (line.trim() === '') continue;
      let row: unknown;
      try {
        row = JSON.parse(line);
      } catch (e) {
        throw new DataFormatError(`stdin line ${n}: not JSON (${(e as Error).message})`);
      }
      const text = (row as { text?: unknown } | null)?.text;
      if (typeof text !== 'string')
        throw new DataFormatError(`stdin line ${n}: expected {"text": "<string>"}, found ${line.slice(0, 80)}`);
      const ids = plain ? tok.encodeOrdinary(text) : tok.encode(text);
      if (!process.stdout.write(JSON.stringify({ ids }) + '\n'))
        await new Promise((r) => process.stdout.once('drain', r));
    }
    return 0;
  },
};
