/**
 * `finetune`: LoRA or full fine-tuning of a Hugging Face Llama/Qwen2 folder on ReflectionCoder
 * records, with the ReflectionCoder objective. Writes an adapter-only checkpoint (LoRA) that names
 * the base files by sha-256; `export` turns it into a PEFT adapter or a merged model.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isBackendPreference, type BackendPreference } from '../../api/backend.ts';
import { UsageError } from '../../core/errors.ts';
import { parseRecordsJsonl } from '../../core/records/jsonl.ts';
import { FinetuneRun, validateFinetuneConfig } from '../../services/trainer/finetune.ts';
import { disposeNodeBackends, selectNodeBackend } from '../../platform/node/backend.ts';
import { nodeModelSource } from '../../platform/node/model-folder.ts';
import { writeFolder } from '../../platform/node/write-folder.ts';
import { numberArg, parseArgs, stringArg } from '../args.ts';
import type { CliCommand } from '../command.ts';

const usage = `Usage: npm run cli -- finetune --model <hf folder> --data <records.jsonl> --out <dir> [options]

  --model <folder>        Hugging Face folder: config.json, safetensors (single or sharded), tokenizer.json
  --data <file.jsonl>     ReflectionCoder records (released schema)
  --out <dir>             checkpoint folder (finetune.json + finetune.safetensors)
  --mode lora|full        default lora (base frozen; adapter + new-token rows trained)
  --lora-rank <r>         default 8
  --lora-alpha <a>        default 16
  --lora-dropout <p>      default 0.05
  --lora-targets <list>   comma-separated, default q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj
  --max-steps <n>         optimizer steps (default: from --epochs)
  --epochs <n>            default 2
  --batch-size <n>        records per micro-batch, default 4
  --max-len <n>           records longer than this (tokens) are dropped, default 512
  --lr <x>                default 5e-4 (LoRA); use ~2e-5 for full fine-tuning
  --seed <n>              default 0
  --save-every <n>        also checkpoint every n steps (default: only at the end)
  --resume                continue the checkpoint in --out (same base, same records)
  --backend <b>           auto | wasm | cpu | webgpu (default auto)`;

export const finetuneCommand: CliCommand = {
  name: 'finetune',
  summary: 'LoRA / full fine-tuning of a Hugging Face Llama or Qwen2 model with the ReflectionCoder objective',
  usage,
  async run(argv) {
    const args = parseArgs(argv, {
      values: [
        'model',
        'data',
        'out',
        'mode',
        'lora-rank',
        'lora-alpha',
        'lora-dropout',
        'lora-targets',
        'max-steps',
        'epochs',
        'batch-size',
        'max-len',
        'lr',
        'seed',
        'save-every',
        'backend',
      ],
      flags: ['resume'],
    });
    const model = stringArg(args, 'model');
    const data = stringArg(args, 'data');
    const out = stringArg(args, 'out');
    if (!model || !data || !out) throw new UsageError(`--model, --data and --out are required\n\n${usage}`);
    const backend = stringArg(args, 'backend') ?? 'auto';
    if (!isBackendPreference(backend))
      throw new UsageError(`--backend: expected auto, wasm, cpu or webgpu, found "${backend}"`);
    const train: Record<string, unknown> = {
      seed: numberArg(args, 'seed', 0, { integer: true }),
      maxSteps: numberArg(args, 'max-steps', 0, { integer: true, min: 0 }),
      epochs: numberArg(args, 'epochs', 2, { min: 0 }),
      batchSize: numberArg(args, 'batch-size', 4, { integer: true, min: 1 }),
      maxLen: numberArg(args, 'max-len', 512, { integer: true, min: 8 }),
      lr: numberArg(args, 'lr', 5e-4, { min: 0 }),
    };
    const targets = stringArg(args, 'lora-targets');
    const cfg = validateFinetuneConfig({
      mode: stringArg(args, 'mode') ?? 'lora',
      lora: {
        rank: numberArg(args, 'lora-rank', 8, { integer: true, min: 1 }),
        alpha: numberArg(args, 'lora-alpha', 16, { min: 0 }),
        dropout: numberArg(args, 'lora-dropout', 0.05, { min: 0, max: 0.99 }),
        ...(targets ? { targets: targets.split(',').map((s) => s.trim()) as never } : {}),
      },
      train,
    });
    const saveEvery = numberArg(args, 'save-every', 0, { integer: true, min: 0 });
    const { records } = parseRecordsJsonl(readFileSync(data, 'utf8'));
    const choice = await selectNodeBackend(backend as BackendPreference);
    const src = nodeModelSource(path.resolve(model));
    const progress = (p: { loadedBytes: number; totalBytes: number }) =>
      process.stderr.write(`\rloading weights ${((100 * p.loadedBytes) / p.totalBytes).toFixed(0)}%`);
    let run: FinetuneRun;
    if (args.flags.has('resume')) {
      const j = path.join(out, 'finetune.json');
      if (!existsSync(j)) throw new UsageError(`--resume: ${out} has no finetune.json`);
      run = await FinetuneRun.resume(src, records, {
        json: readFileSync(j, 'utf8'),
        safetensors: new Uint8Array(readFileSync(path.join(out, 'finetune.safetensors'))),
      });
    } else run = await FinetuneRun.create(src, records, cfg, progress);
    process.stderr.write('\n');
    const save = async () => {
      const c = await run.checkpoint();
      writeFolder(
        out,
        new Map([
          ['finetune.json', new TextEncoder().encode(c.json)],
          ['finetune.safetensors', c.safetensors],
        ]),
      );
    };
    try {
      console.error(
        `${choice.backend}: ${run.config.mode} fine-tuning, ${run.encoded.length} records (${run.dropped} longer than maxLen dropped), ` +
          `${run.totalSteps} steps, trainable ${[...run.model.trainable.values()].reduce((s, v) => s + v.size, 0)} parameters` +
          (run.added.length ? `, added tokens ${run.added.map((a) => `${a.token}=${a.id}`).join(' ')}` : ''),
      );
      while (!run.done) {
        const t0 = performance.now();
        const r = await run.trainStep();
        const secs = (performance.now() - t0) / 1000;
        console.error(
          `step ${r.step}/${run.totalSteps} loss ${r.loss.toFixed(4)} (ce ${r.ceTeacher.toFixed(3)} / ${r.ceStudent.toFixed(3)}, kl ${r.kl.toFixed(3)}) lr ${r.lr.toExponential(2)} ${(r.tokens / secs).toFixed(0)} tok/s`,
        );
        if (saveEvery && run.step % saveEvery === 0) await save();
      }
      await save();
      console.log(path.resolve(out));
      return 0;
    } finally {
      run.dispose();
      disposeNodeBackends();
    }
  },
};
