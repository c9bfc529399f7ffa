/**
 * `generate` on a Hugging Face model folder: sharded/bf16 weights, its tokenizer.json (optional:
 * without it, --prompt-ids), a PEFT adapter (--adapter), the chat template (--chat), and the
 * stop tokens of generation_config.json / the tokenizer's EOS.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { BackendPreference } from '../../api/backend.ts';
import { UsageError } from '../../core/errors.ts';
import { generateWithInfo } from '../../core/model/generate.ts';
import { loadHFFolder } from '../../core/model/hf-folder.ts';
import type { LlamaModel } from '../../core/model/llama.ts';
import { LoraAdapter } from '../../core/model/lora.ts';
import { applyPeftAdapter } from '../../core/model/peft-folder.ts';
import { addReflectionTokens } from '../../core/model/reflection-tokens.ts';
import type { HFTokenizer } from '../../core/tokenizer/hf.ts';
import { encodeChat } from '../../core/tokenizer/hf-chat.ts';
import { loadHFTokenizer } from '../../core/tokenizer/hf-load.ts';
import { disposeNodeBackends, selectNodeBackend } from '../../platform/node/backend.ts';
import { nodeModelSource } from '../../platform/node/model-folder.ts';
import { currentLimits } from '../../services/trainer/finetune.ts';
import type { ParsedArgs } from '../args.ts';
import { exclusiveArgs, parseIds, stringArg } from '../args.ts';

/**
 * Generates from prompt ids and prints the result, as both `generate` paths do: a timing line on stderr, then the
 * decoded text (or the ids with --print-ids, or when there is no tokenizer) on stdout.
 */
export async function generateAndPrint(
  model: LlamaModel,
  promptIds: number[],
  o: { maxNewTokens: number; temperature: number; topP: number; seed: number; stopTokens: number[] },
  args: ParsedArgs,
  backend: string,
  tokenizer?: { decode(ids: number[]): string } | null,
): Promise<void> {
  const t0 = performance.now();
  const res = await generateWithInfo(model, promptIds, {
    maxNewTokens: o.maxNewTokens,
    temperature: o.temperature,
    topP: o.topP,
    seed: o.seed,
    stopTokens: o.stopTokens,
    useCache: !args.flags.has('no-cache'),
  });
  const secs = (performance.now() - t0) / 1000;
  console.error(
    `${backend}: ${res.ids.length} tokens in ${secs.toFixed(2)} s (${(res.ids.length / Math.max(secs, 1e-9)).toFixed(1)} tokens/s), stopped by ${res.stoppedBy}`,
  );
  if (tokenizer && !args.flags.has('print-ids')) console.log(tokenizer.decode(res.ids));
  else console.log(res.ids.join(' '));
}

/** A folder whose config.json is a Hugging Face config (not the project's own llama2.c/BPE pair). */
export function isHFFolder(p: string): boolean {
  if (!existsSync(p) || !statSync(p).isDirectory() || !existsSync(path.join(p, 'config.json'))) return false;
  const tok = path.join(p, 'tokenizer.json');
  if (existsSync(tok) && readFileSync(tok, 'utf8').slice(0, 200).includes('reflectioncoder-bpe')) return false;
  return true;
}

/** eos_token_id of generation_config.json or config.json (a number or a list). */
function eosIds(...sources: (Record<string, unknown> | undefined)[]): number[] {
  for (const s of sources) {
    const e = s?.eos_token_id;
    if (typeof e === 'number') return [e];
    if (Array.isArray(e)) return e.filter((x): x is number => typeof x === 'number');
  }
  return [];
}

export async function generateHF(
  dir: string,
  args: ParsedArgs,
  o: {
    maxNewTokens: number;
    temperature: number;
    topP: number;
    seed: number;
    stopTokens: number[];
    backend: BackendPreference;
    usage: string;
  },
): Promise<number> {
  const choice = await selectNodeBackend(o.backend);
  const src = nodeModelSource(dir);
  const { model: loaded, plan } = await loadHFFolder(src, {
    limits: currentLimits(),
    onProgress: (p) => process.stderr.write(`\rloading ${((100 * p.loadedBytes) / p.totalBytes).toFixed(0)}%`),
  });
  process.stderr.write('\n');
  let model = loaded;
  let tokenizer: HFTokenizer | null = await loadHFTokenizer(src);
  let adapter: LoraAdapter | null = null;
  try {
    const adapterDir = stringArg(args, 'adapter');
    if (adapterDir) {
      const asrc = nodeModelSource(adapterDir);
      const atok = await loadHFTokenizer(asrc);
      if (atok?.hasReflectionTokens() && tokenizer && !tokenizer.hasReflectionTokens()) {
        // The adapter's run added the ReflectionCoder tokens: resize the base the same way first.
        const r = addReflectionTokens(model, tokenizer);
        model = r.model;
      }
      if (atok) tokenizer = atok;
      adapter = await applyPeftAdapter(asrc, model);
    }
    const [promptText, promptIdsRaw] = exclusiveArgs(args, 'prompt', 'prompt-ids');
    let promptIds: number[];
    if (promptText !== undefined) {
      if (!tokenizer) throw new UsageError(`--prompt needs tokenizer.json in ${dir}; use --prompt-ids`);
      promptIds = args.flags.has('chat')
        ? encodeChat(tokenizer, [{ role: 'user', content: promptText }])
        : tokenizer.encodeForPrompt(promptText);
    } else if (promptIdsRaw !== undefined) promptIds = parseIds(promptIdsRaw, 'prompt-ids');
    else throw new UsageError(`give --prompt or --prompt-ids\n\n${o.usage}`);
    const stops = o.stopTokens.length
      ? o.stopTokens
      : [...new Set([...eosIds(plan.generationConfig, plan.hfConfig), ...(tokenizer ? [tokenizer.eos] : [])])];
    await generateAndPrint(model, promptIds, { ...o, stopTokens: stops }, args, choice.backend, tokenizer);
    return 0;
  } finally {
    if (adapter) {
      LoraAdapter.detach(model);
      adapter.dispose();
    }
    model.dispose();
    disposeNodeBackends();
  }
}
