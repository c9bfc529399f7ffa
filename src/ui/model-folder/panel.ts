/**
 * "Open a model folder": a Hugging Face Llama/Qwen2 folder (directory picker, chosen files or files
 * dropped on the box) → summary; LoRA fine-tune on a records JSONL with the ReflectionCoder
 * objective; generate; export as a PEFT adapter or a merged model (a .zip download). Everything
 * runs in its own worker (workers/pretrained.worker.ts), started on first use.
 */
import * as Comlink from 'comlink';
import { zipSync } from 'fflate';
import type { AppContext } from '../context.ts';
import { h } from '../dom.ts';
import { onPretrainedWorkerError, pretrainedWorker, setOpenedModel } from './opened.ts';
import { UsageError } from '../../core/errors.ts';

/** Every File of dropped items, descending one folder level (DataTransferItem.webkitGetAsEntry). */
async function filesFromDrop(items: DataTransferItemList): Promise<File[]> {
  const out: File[] = [];
  const entries = [...items].map((i) => i.webkitGetAsEntry?.()).filter((e): e is FileSystemEntry => !!e);
  const fileOf = (e: FileSystemFileEntry) => new Promise<File>((res, rej) => e.file(res, rej));
  for (const e of entries) {
    if (e.isFile) out.push(await fileOf(e as FileSystemFileEntry));
    else if (e.isDirectory) {
      const reader = (e as FileSystemDirectoryEntry).createReader();
      for (;;) {
        const batch = await new Promise<FileSystemEntry[]>((res, rej) => reader.readEntries(res, rej));
        if (!batch.length) break;
        for (const c of batch) if (c.isFile) out.push(await fileOf(c as FileSystemFileEntry));
      }
    }
  }
  return out;
}

export function mountModelFolder(root: HTMLElement, ctx: AppContext): void {
  // The page's one pretrained worker (opened.ts): the Evaluate panel evaluates what is opened here.
  onPretrainedWorkerError((m) => show(`The model worker stopped (${m}).`, true));
  const api = () => pretrainedWorker(ctx.backendPreference);

  const section = h('section', { class: 'model-folder', 'aria-labelledby': 'model-folder-title' });
  section.append(h('h2', { id: 'model-folder-title' }, 'Pretrained model (Hugging Face folder)'));
  section.append(
    h(
      'p',
      {},
      'Open a Llama or Qwen2 folder: config.json, model.safetensors (or shards + index), tokenizer.json. Nothing leaves this device.',
    ),
  );
  const dirInput = h('input', {
    type: 'file',
    'data-testid': 'model-folder-dir',
    'aria-label': 'Choose a model folder',
  });
  dirInput.setAttribute('webkitdirectory', '');
  const filesInput = h('input', {
    type: 'file',
    multiple: '',
    'data-testid': 'model-folder-files',
    'aria-label': 'Or choose the model files',
  });
  const drop = h(
    'div',
    { class: 'model-folder-drop', 'data-testid': 'model-folder-drop', tabindex: '0' },
    'or drop the folder here',
  );
  const status = h('p', { 'data-testid': 'model-folder-status', role: 'status', 'aria-live': 'polite' });
  const summary = h('pre', { 'data-testid': 'model-folder-summary' });
  section.append(h('label', {}, 'Folder '), dirInput, h('label', {}, ' Files '), filesInput, drop, status, summary);

  const records = h('input', {
    type: 'file',
    accept: '.jsonl,.json',
    'data-testid': 'model-folder-records',
    'aria-label': 'Records (JSONL)',
  });
  const steps = h('input', {
    type: 'number',
    value: '20',
    min: '1',
    'data-testid': 'model-folder-steps',
    'aria-label': 'Steps',
  });
  const rank = h('input', {
    type: 'number',
    value: '8',
    min: '1',
    'data-testid': 'model-folder-rank',
    'aria-label': 'LoRA rank',
  });
  const maxLen = h('input', {
    type: 'number',
    value: '256',
    min: '8',
    'data-testid': 'model-folder-maxlen',
    'aria-label': 'Max record length',
  });
  const tune = h(
    'button',
    { type: 'button', 'data-testid': 'model-folder-finetune', disabled: '' },
    'Fine-tune (LoRA)',
  );
  section.append(
    h('h3', {}, 'LoRA fine-tuning (ReflectionCoder objective)'),
    records,
    h('label', {}, ' steps '),
    steps,
    h('label', {}, ' rank '),
    rank,
    h('label', {}, ' max length '),
    maxLen,
    tune,
  );

  const prompt = h('input', {
    type: 'text',
    'data-testid': 'model-folder-prompt',
    'aria-label': 'Prompt (text, or ids like 9 102 2)',
    placeholder: 'prompt text, or token ids: 9 102 2',
  });
  const gen = h('button', { type: 'button', 'data-testid': 'model-folder-generate', disabled: '' }, 'Generate');
  const output = h('pre', { 'data-testid': 'model-folder-output' });
  section.append(h('h3', {}, 'Generate'), prompt, gen, output);

  const exPeft = h(
    'button',
    { type: 'button', 'data-testid': 'model-folder-export-peft', disabled: '' },
    'Export PEFT adapter',
  );
  const exMerged = h(
    'button',
    { type: 'button', 'data-testid': 'model-folder-export-merged', disabled: '' },
    'Export merged model',
  );
  section.append(h('h3', {}, 'Export'), exPeft, exMerged);
  root.append(section);

  function show(text: string, error = false): void {
    status.textContent = text;
    status.dataset.state = error ? 'error' : 'ok';
  }
  const guard =
    <A extends unknown[]>(f: (...args: A) => Promise<void>) =>
    async (...args: A) => {
      try {
        await f(...args);
      } catch (e) {
        show(`${(e as Error).name}: ${(e as Error).message}`, true);
      }
    };

  const openFiles = guard(async (files: File[]) => {
    if (!files.length) return;
    show(`Opening ${files.length} files…`);
    setOpenedModel(null); // opening replaces what the worker held, even if this folder then fails
    const info = await (
      await api()
    ).open(
      files,
      Comlink.proxy((f: number) => show(`Loading weights ${(100 * f).toFixed(0)}%`)),
    );
    summary.textContent = `${info.label}: ${info.arch}, ${(info.params / 1e6).toFixed(2)}M parameters, ${info.layers} layers × ${info.dim}, vocab ${info.vocabSize}${info.tied ? ', tied head' : ''}; tokenizer ${info.hasTokenizer ? `yes (${info.promptStyle === 'chat' ? 'chat template' : info.promptStyle === 'reflection' ? 'paper prompt' : 'plain completion'})` : 'no — generate from token ids'}`;
    setOpenedModel(info);
    show(`Opened ${info.label}; it is listed in the Evaluate tab.`);
    gen.disabled = false;
    tune.disabled = !info.hasTokenizer;
  });
  dirInput.addEventListener('change', () => void openFiles([...(dirInput.files ?? [])]));
  filesInput.addEventListener('change', () => void openFiles([...(filesInput.files ?? [])]));
  drop.addEventListener('dragover', (e) => e.preventDefault());
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    if (e.dataTransfer) void filesFromDrop(e.dataTransfer.items).then((f) => openFiles(f));
  });

  tune.addEventListener(
    'click',
    guard(async (_e: Event) => {
      const file = records.files?.[0];
      if (!file) throw new UsageError('choose a records JSONL file first');
      tune.disabled = true;
      try {
        const res = await (
          await api()
        ).finetune(
          {
            recordsJsonl: await file.text(),
            maxSteps: Number(steps.value),
            batchSize: 2,
            maxLen: Number(maxLen.value),
            lr: 5e-3,
            rank: Number(rank.value),
            alpha: 2 * Number(rank.value),
            dropout: 0.05,
          },
          Comlink.proxy((p: { step: number; totalSteps: number; loss: number }) =>
            show(`Step ${p.step}/${p.totalSteps}, loss ${p.loss.toFixed(4)}`),
          ),
        );
        show(
          `Fine-tuned: ${res.losses.length} steps, last loss ${res.losses.at(-1)?.toFixed(4)}${res.addedTokens.length ? `; added ${res.addedTokens.length} tokens` : ''}.`,
        );
        exPeft.disabled = exMerged.disabled = false;
        setOpenedModel(await (await api()).info());
      } finally {
        tune.disabled = false;
      }
    }),
  );

  gen.addEventListener(
    'click',
    guard(async (_e: Event) => {
      const raw = prompt.value.trim();
      const ids = /^[\d\s,]+$/.test(raw)
        ? raw
            .split(/[\s,]+/)
            .filter(Boolean)
            .map(Number)
        : undefined;
      const res = await (await api()).generate(ids ? { ids } : { text: raw }, 32);
      output.textContent = res.text ?? res.ids.join(' ');
      output.dataset.ids = res.ids.join(' ');
    }),
  );

  for (const [button, format] of [
    [exPeft, 'peft'],
    [exMerged, 'merged'],
  ] as const) {
    button.addEventListener(
      'click',
      guard(async (_e: Event) => {
        const files = await (await api()).exportModel(format);
        const zip = zipSync(Object.fromEntries(files.map((f) => [f.name, f.bytes])));
        const a = h('a', {
          href: URL.createObjectURL(new Blob([zip as Uint8Array<ArrayBuffer>], { type: 'application/zip' })),
          download: `model-${format}.zip`,
        });
        document.body.append(a);
        a.click();
        a.remove();
        show(`Exported ${format}: ${files.map((f) => f.name).join(', ')}.`);
      }),
    );
  }
}
