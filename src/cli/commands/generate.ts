/**
 * `generate`: load a model (llama2.c .bin, or a directory with config.json + model.safetensors)
 * and continue a prompt. Prompts are token ids; when the model directory also holds a
 * tokenizer.json (BpeTokenizer), `--prompt` text works and the completion is printed as text.
 * Statistics go to stderr so stdout stays machine-readable: with --print-ids the last stdout line
 * is the generated ids (prompt excluded), space-separated.
 */
import { encodePrompt, promptFromTypedText } from '../../core/prompt.ts';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { BackendPreference } from '../../api/backend.ts';
import { isBackendPreference } from '../../api/backend.ts';
import { UsageError } from '../../core/errors.ts';
import { loadModel, type ModelFiles } from '../../core/model/load.ts';
import { BpeTokenizer } from '../../core/tokenizer/bpe.ts';
import { disposeNodeBackends, selectNodeBackend } from '../../platform/node/backend.ts';
import { exclusiveArgs, numberArg, parseArgs, parseIds, stringArg } from '../args.ts';
import { generateAndPrint, generateHF, isHFFolder } from './generate-hf.ts';
import type { CliCommand } from '../command.ts';

const usage = `Usage: npm run cli -- generate --model <file.bin | dir> [options]

  --model <path>          llama2.c checkpoint (.bin), or a folder with config.json + safetensors (a Hugging Face
                          Llama/Qwen2 folder: single or sharded, bf16/f16/f32; tokenizer.json optional)
  --adapter <folder>      a PEFT LoRA adapter folder (adapter_config.json + adapter_model.safetensors) on --model
  --chat                  wrap --prompt in the model's chat template (chat/instruct models)
  --prompt-ids <ids>      prompt token ids, e.g. "1" or "1 403 12" or "1,403,12" (default: 1 = BOS)
  --prompt <text>         prompt text (needs tokenizer.json next to the model; a project BPE prepends BOS, a
                          Hugging Face tokenizer adds what tokenizer(text) adds)
  --max-new-tokens <n>    default 120
  --greedy                greedy decoding (the default unless --temperature > 0)
  --temperature <t>       sampling temperature (0 = greedy)
  --top-p <p>             nucleus sampling mass, (0, 1] (default 1)
  --seed <n>              sampling seed (default 0)
  --stop-ids <ids>        stop tokens (not printed)
  --no-cache              recompute the whole prefix for every token (for comparison)
  --backend <b>           auto | wasm | cpu | webgpu (default auto = wasm)
  --print-ids             print the generated ids on the last stdout line`;

function readModelFiles(p: string): { files: ModelFiles; tokenizerPath?: string } {
  if (!existsSync(p)) throw new UsageError(`--model: ${p} does not exist`);
  if (statSync(p).isDirectory()) {
    const cfg = path.join(p, 'config.json');
    const st = path.join(p, 'model.safetensors');
    for (const f of [cfg, st])
      if (!existsSync(f)) throw new UsageError(`--model: ${p} is a directory without ${path.basename(f)}`);
    const tok = path.join(p, 'tokenizer.json');
    return {
      files: { kind: 'hf', config: new Uint8Array(readFileSync(cfg)), safetensors: new Uint8Array(readFileSync(st)) },
      tokenizerPath: existsSync(tok) ? tok : undefined,
    };
  }
  return { files: { kind: 'llama2c', bin: new Uint8Array(readFileSync(p)) } };
}

export const generateCommand: CliCommand = {
  name: 'generate',
  summary: 'Generate tokens from a llama2.c or safetensors model (greedy, temperature, top-p)',
  usage,
  async run(argv) {
    const args = parseArgs(argv, {
      values: [
        'model',
        'prompt-ids',
        'prompt',
        'max-new-tokens',
        'temperature',
        'top-p',
        'seed',
        'stop-ids',
        'backend',
        'adapter',
      ],
      flags: ['greedy', 'print-ids', 'no-cache', 'chat'],
    });
    const modelPath = stringArg(args, 'model');
    if (!modelPath) throw new UsageError(`--model is required\n\n${usage}`);
    const backendRaw = stringArg(args, 'backend') ?? 'auto';
    if (!isBackendPreference(backendRaw))
      throw new UsageError(`--backend: expected auto, wasm, cpu or webgpu, found "${backendRaw}"`);
    const greedy = args.flags.has('greedy');
    const temperature = numberArg(args, 'temperature', 0, { min: 0 });
    if (greedy && temperature > 0) throw new UsageError('--greedy and --temperature > 0 contradict each other');
    const topP = numberArg(args, 'top-p', 1, { max: 1 });
    if (topP <= 0) throw new UsageError(`--top-p: expected a value in (0, 1], found ${topP}`);
    const seed = numberArg(args, 'seed', 0, { integer: true });
    const maxNewTokens = numberArg(args, 'max-new-tokens', 120, { integer: true, min: 0 });
    const stopRaw = stringArg(args, 'stop-ids');
    const stopTokens = stopRaw ? parseIds(stopRaw, 'stop-ids') : [];

    if (isHFFolder(modelPath)) {
      return generateHF(modelPath, args, {
        maxNewTokens,
        temperature,
        topP,
        seed,
        stopTokens,
        backend: backendRaw as BackendPreference,
        usage,
      });
    }
    if (stringArg(args, 'adapter') || args.flags.has('chat'))
      throw new UsageError('--adapter and --chat need a Hugging Face model folder as --model');
    const { files, tokenizerPath } = readModelFiles(modelPath);
    const tokenizer = tokenizerPath
      ? BpeTokenizer.fromJSON(JSON.parse(readFileSync(tokenizerPath, 'utf8')))
      : undefined;
    const [promptText, promptIdsRaw] = exclusiveArgs(args, 'prompt', 'prompt-ids');
    let promptIds: number[];
    if (promptText !== undefined) {
      if (!tokenizer) throw new UsageError('--prompt needs a tokenizer.json in the model directory; use --prompt-ids');
      // Typed by the person running the command: special-token strings they wrote are structure.
      promptIds = encodePrompt(tokenizer, promptFromTypedText(promptText));
    } else promptIds = promptIdsRaw ? parseIds(promptIdsRaw, 'prompt-ids') : [1];

    const choice = await selectNodeBackend(backendRaw as BackendPreference);
    const model = loadModel(files);
    try {
      await generateAndPrint(
        model,
        promptIds,
        { maxNewTokens, temperature, topP, seed, stopTokens },
        args,
        choice.backend,
        tokenizer,
      );
      return 0;
    } finally {
      model.dispose();
      disposeNodeBackends();
    }
  },
};
