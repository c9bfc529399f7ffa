/** `export`: a fine-tuning checkpoint → a PEFT adapter folder or a merged Hugging Face model folder. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../core/errors.ts';
import { exportMerged, exportPeft } from '../../core/model/export.ts';
import { LoraAdapter } from '../../core/model/lora.ts';
import { openFinetuned, parseFinetuneJson } from '../../services/trainer/finetune.ts';
import { disposeNodeBackends, selectNodeBackend } from '../../platform/node/backend.ts';
import { nodeModelSource } from '../../platform/node/model-folder.ts';
import { writeFolder } from '../../platform/node/write-folder.ts';
import { parseArgs, stringArg } from '../args.ts';
import type { CliCommand } from '../command.ts';

const usage = `Usage: npm run cli -- export --from <checkpoint dir> --format peft|merged --out <folder> [--model <base folder>]

  --from <dir>         a finetune checkpoint (finetune.json + finetune.safetensors)
  --format peft        adapter_config.json + adapter_model.safetensors (+ tokenizer files when tokens were added)
  --format merged      config.json + model.safetensors (float32, base + adapter) + tokenizer files
  --out <folder>       where to write
  --model <folder>     the base model folder (default: the path recorded in the checkpoint; checked by sha-256)`;

export const exportCommand: CliCommand = {
  name: 'export',
  summary: 'Export a fine-tuning checkpoint as a PEFT adapter or a merged Hugging Face model',
  usage,
  async run(argv) {
    const args = parseArgs(argv, { values: ['from', 'format', 'out', 'model'], flags: [] });
    const from = stringArg(args, 'from');
    const format = stringArg(args, 'format');
    const out = stringArg(args, 'out');
    if (!from || !format || !out) throw new UsageError(`--from, --format and --out are required\n\n${usage}`);
    if (format !== 'peft' && format !== 'merged')
      throw new UsageError(`--format: expected peft or merged, found "${format}"`);
    const jsonPath = path.join(from, 'finetune.json');
    if (!existsSync(jsonPath)) throw new UsageError(`--from: ${from} has no finetune.json`);
    const ckpt = {
      json: readFileSync(jsonPath, 'utf8'),
      safetensors: new Uint8Array(readFileSync(path.join(from, 'finetune.safetensors'))),
    };
    const j = parseFinetuneJson(ckpt.json);
    const base = stringArg(args, 'model') ?? j.base.label;
    await selectNodeBackend('cpu');
    const src = nodeModelSource(base);
    const o = await openFinetuned(src, ckpt);
    try {
      let files: Map<string, Uint8Array>;
      if (format === 'peft') {
        if (!o.adapter)
          throw new UsageError(
            '--format peft needs a LoRA checkpoint; this one is full fine-tuning (use --format merged)',
          );
        files = await exportPeft(o.model, o.adapter, o.added.length ? o.tokenizer : null, path.resolve(base));
      } else {
        const gen = src.files().includes('generation_config.json')
          ? new Map([['generation_config.json', await src.read('generation_config.json')]])
          : new Map<string, Uint8Array>();
        files = await exportMerged(o.model, o.adapter, o.tokenizer, o.plan.hfConfig, gen);
      }
      writeFolder(out, files);
      console.error(`wrote ${[...files.keys()].join(', ')} to ${out}`);
      return 0;
    } finally {
      if (o.adapter) LoraAdapter.detach(o.model);
      o.adapter?.dispose();
      o.model.dispose();
      disposeNodeBackends();
    }
  },
};
