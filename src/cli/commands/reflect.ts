/**
 * `reflect`: build reflection records (paper §3.1, App. A) for a list of problems with a chat model, running
 * every code block in the Node Python sandbox. Kept records go to --out (JSONL, released schema); rejections
 * with their reason to --rejections. The API key is read from an environment variable, never from argv.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type { ChatModel } from '../../api/reflect.ts';
import { DataFormatError, UsageError } from '../../core/errors.ts';
import { chatGenerator } from '../../core/reflect/generators.ts';
import { runReflection } from '../../core/reflect/loop.ts';
import { recordToJson } from '../../core/records/jsonl.ts';
import { createNodePython } from '../python-node.ts';
import { OpenAIChatModel } from '../../services/reflect/openai.ts';
import { ScriptedChatModel } from '../../services/reflect/scripted.ts';
import { numberArg, parseArgs, stringArg } from '../args.ts';
import type { CliCommand } from '../command.ts';

const SEPARATOR = /\n-{3,}\n/;

const usage = `Usage: npm run cli -- reflect --problems <file> (--endpoint <url> --model <name> | --script <file>) [options]

  --problems <file>     problems: a .jsonl file of {"problem": "..."} lines, or text with problems separated by "---" lines
  --endpoint <url>      OpenAI-compatible base URL (POST <url>/chat/completions), e.g. http://127.0.0.1:8080/v1
  --model <name>        model name sent to the endpoint
  --key-env <VAR>       environment variable holding the API key (default OPENAI_API_KEY; optional)
  --script <file>       instead of an endpoint: chat turns separated by "---" lines, played back in order
  --out <file>          append kept records here (JSONL; default reflections.jsonl)
  --rejections <file>   append rejections here ({"problem","reason","detail"} lines; default: not written)
  --max-rounds <n>      code executions before giving up (default 8, as in the paper)
  --timeout <ms>        limit per execution (default 10000)`;

function readProblems(file: string): string[] {
  if (!existsSync(file)) throw new UsageError(`--problems: ${file} does not exist`);
  const text = readFileSync(file, 'utf8');
  if (file.endsWith('.jsonl')) {
    return text
      .split('\n')
      .map((l, i) => [l, i + 1] as const)
      .filter(([l]) => l.trim())
      .map(([l, n]) => {
        let v: unknown;
        try {
          v = JSON.parse(l);
        } catch {
          throw new DataFormatError(`${file} line ${n}: expected JSON, found ${JSON.stringify(l.slice(0, 60))}`);
        }
        const p = (v as { problem?: unknown }).problem;
        if (typeof p !== 'string' || !p.trim())
          throw new DataFormatError(`${file} line ${n}: expected {"problem": "<text>"}`);
        return p;
      });
  }
  return text
    .split(SEPARATOR)
    .map((p) => p.trim())
    .filter(Boolean);
}

export const reflectCommand: CliCommand = {
  name: 'reflect',
  summary: 'Build reflection records with a chat model, running code in the Python sandbox',
  usage,
  async run(argv) {
    const args = parseArgs(argv, {
      values: ['problems', 'endpoint', 'model', 'key-env', 'script', 'out', 'rejections', 'max-rounds', 'timeout'],
      flags: [],
    });
    const problemsFile = stringArg(args, 'problems');
    if (!problemsFile) throw new UsageError(`--problems is required\n\n${usage}`);
    const problems = readProblems(problemsFile);
    if (!problems.length) throw new UsageError(`--problems: ${problemsFile} holds no problems`);
    const script = stringArg(args, 'script');
    const endpoint = stringArg(args, 'endpoint');
    if (Boolean(script) === Boolean(endpoint))
      throw new UsageError('give exactly one of --endpoint (with --model) or --script');
    let model: ChatModel;
    if (script) {
      if (!existsSync(script)) throw new UsageError(`--script: ${script} does not exist`);
      model = new ScriptedChatModel(readFileSync(script, 'utf8').split(SEPARATOR));
    } else {
      const keyEnv = stringArg(args, 'key-env') ?? 'OPENAI_API_KEY';
      model = new OpenAIChatModel({ baseUrl: endpoint, model: stringArg(args, 'model'), apiKey: process.env[keyEnv] });
    }
    const maxRounds = numberArg(args, 'max-rounds', 8, { integer: true, min: 1, max: 50 });
    const timeoutMs = numberArg(args, 'timeout', 10_000, { min: 100, max: 600_000 });
    const out = stringArg(args, 'out') ?? 'reflections.jsonl';
    const rejections = stringArg(args, 'rejections');
    const python = createNodePython();
    const generator = chatGenerator(model);
    let kept = 0;
    const reasons = new Map<string, number>();
    try {
      for (const [i, problem] of problems.entries()) {
        const o = await runReflection(problem, generator, python, { maxRounds, timeoutMs });
        if (o.record) {
          appendFileSync(out, recordToJson(o.record) + '\n');
          kept += 1;
        } else if (o.rejection) {
          reasons.set(o.rejection.reason, (reasons.get(o.rejection.reason) ?? 0) + 1);
          if (rejections) appendFileSync(rejections, JSON.stringify({ problem, ...o.rejection }) + '\n');
        }
        console.error(
          `[${i + 1}/${problems.length}] ${o.record ? `kept (${o.rounds} rounds)` : `rejected: ${o.rejection?.reason} (${o.rejection?.detail})`}`,
        );
      }
    } finally {
      python.dispose();
    }
    const why = [...reasons].map(([r, n]) => `${r} ${n}`).join(', ');
    console.log(`kept ${kept} of ${problems.length} → ${out}${why ? `; rejected: ${why}` : ''}`);
    return 0;
  },
};
