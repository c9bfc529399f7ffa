/**
 * One opened Hugging Face model in a worker: open (shard by shard), LoRA fine-tune with the
 * ReflectionCoder objective, generate, export PEFT / merged. The browser twin of the CLI's
 * finetune / generate / export commands, on the same core modules.
 */
import type { FinetuneProgress, FinetuneRequest, HumanEvalRequest, OpenedModelInfo } from '../../api/pretrained.ts';
import { UsageError } from '../../core/errors.ts';
import { exportMerged, exportPeft } from '../../core/model/export.ts';
import { generate } from '../../core/model/generate.ts';
import { loadHFFolder, type HFFolderPlan, type ModelSource } from '../../core/model/hf-folder.ts';
import type { LlamaModel } from '../../core/model/llama.ts';
import { LoraAdapter } from '../../core/model/lora.ts';
import { parseRecordsJsonl } from '../../core/records/jsonl.ts';
import type { HFTokenizer } from '../../core/tokenizer/hf.ts';
import { loadHFTokenizer } from '../../core/tokenizer/hf-load.ts';
import { currentLimits, FinetuneRun, validateFinetuneConfig } from './finetune.ts';
import { humanEvalAnswer, promptStyle } from './hf-generation.ts';

export class PretrainedSession {
  private model: LlamaModel | null = null;
  private tokenizer: HFTokenizer | null = null;
  private plan: HFFolderPlan | null = null;
  private run: FinetuneRun | null = null;
  private src: ModelSource | null = null;
  private opened: OpenedModelInfo | null = null;
  /** A fine-tune in progress, or generations in flight (one worker serves both panels: they must not overlap). */
  private tuning = false;
  private generating = 0;

  private async generation<T>(f: () => Promise<T>): Promise<T> {
    if (this.tuning)
      throw new UsageError('the model is being fine-tuned (Train tab); generate or evaluate when the run has finished');
    this.generating++;
    try {
      return await f();
    } finally {
      this.generating--;
    }
  }

  async open(src: ModelSource, onProgress?: (fraction: number) => void): Promise<OpenedModelInfo> {
    if (this.tuning || this.generating)
      throw new UsageError('the opened model is busy (fine-tuning or generating); open another when it has finished');
    this.close();
    const { model, plan } = await loadHFFolder(src, {
      maxContext: 2048,
      limits: currentLimits(),
      onProgress: (p) => onProgress?.(p.loadedBytes / p.totalBytes),
    });
    this.model = model;
    this.plan = plan;
    this.src = src;
    this.tokenizer = await loadHFTokenizer(src);
    const c = model.config;
    this.opened = {
      label: src.label,
      arch: c.arch ?? 'llama',
      params: [...model.params.values()].reduce((s, v) => s + v.size, 0),
      vocabSize: c.vocabSize,
      layers: c.nLayers,
      dim: c.dim,
      tied: c.tieEmbeddings,
      hasTokenizer: !!this.tokenizer,
      promptStyle: this.tokenizer ? promptStyle(this.tokenizer) : null,
      files: src.files(),
      finetuned: null,
    };
    return this.opened;
  }

  async info(): Promise<OpenedModelInfo | null> {
    return this.opened;
  }

  async finetune(
    req: FinetuneRequest,
    onProgress?: (p: FinetuneProgress) => void,
  ): Promise<{ losses: number[]; addedTokens: string[] }> {
    if (!this.src) throw new UsageError('open a model folder first');
    if (this.tuning || this.generating)
      throw new UsageError(
        `the model is busy (${this.tuning ? 'fine-tuning' : 'generating, e.g. an evaluation'}); start when it has finished`,
      );
    this.tuning = true;
    try {
      return await this.tune(req, onProgress);
    } finally {
      this.tuning = false;
    }
  }

  private async tune(
    req: FinetuneRequest,
    onProgress?: (p: FinetuneProgress) => void,
  ): Promise<{ losses: number[]; addedTokens: string[] }> {
    const { records } = parseRecordsJsonl(req.recordsJsonl);
    const cfg = validateFinetuneConfig({
      mode: 'lora',
      lora: { rank: req.rank, alpha: req.alpha, dropout: req.dropout },
      train: { maxSteps: req.maxSteps, batchSize: req.batchSize, maxLen: req.maxLen, lr: req.lr, warmupRatio: 0 },
    });
    // The run holds its own copy of the base (resized, with the adapter); the opened one is freed.
    this.model?.dispose();
    this.model = null;
    this.run?.dispose();
    this.run = await FinetuneRun.create(this.src!, records, cfg);
    const losses: number[] = [];
    while (!this.run.done) {
      const r = await this.run.trainStep();
      losses.push(r.loss);
      onProgress?.({ step: r.step, totalSteps: this.run.totalSteps, loss: r.loss });
    }
    this.run.adapter?.attach(this.run.model, { train: false });
    if (this.opened)
      this.opened = {
        ...this.opened,
        vocabSize: this.run.model.config.vocabSize,
        promptStyle: promptStyle(this.run.tokenizer),
        finetuned: { mode: 'lora', steps: losses.length, lastLoss: losses.at(-1) ?? NaN },
      };
    return { losses, addedTokens: this.run.added.map((a) => a.token) };
  }

  generate(
    prompt: { text?: string; ids?: number[] },
    maxNewTokens: number,
  ): Promise<{ ids: number[]; text: string | null }> {
    return this.generation(() => this.generateNow(prompt, maxNewTokens));
  }

  private async generateNow(
    prompt: { text?: string; ids?: number[] },
    maxNewTokens: number,
  ): Promise<{ ids: number[]; text: string | null }> {
    const model = this.run?.model ?? this.model;
    const tok = this.run?.tokenizer ?? this.tokenizer;
    if (!model) throw new UsageError('open a model folder first');
    let ids = prompt.ids;
    if (!ids?.length) {
      if (prompt.text === undefined || !tok)
        throw new UsageError('this folder has no tokenizer.json: give prompt token ids');
      ids = tok.encodeForPrompt(prompt.text);
    }
    const out = await generate(model, ids, { maxNewTokens, stopTokens: tok ? [tok.eos] : [] });
    return { ids: out, text: tok ? tok.decode(out, true) : null };
  }

  humanEvalAnswer(problemPrompt: string, req: HumanEvalRequest): Promise<string> {
    return this.generation(async () => {
      const model = this.run?.model ?? this.model;
      const tok = this.run?.tokenizer ?? this.tokenizer;
      if (!model) throw new UsageError('open a model folder first');
      if (!tok) throw new UsageError("this folder has no tokenizer.json; HumanEval needs the model's tokenizer");
      return humanEvalAnswer(model, tok, problemPrompt, req, (this.run?.plan ?? this.plan)?.generationConfig);
    });
  }

  async exportModel(format: 'peft' | 'merged'): Promise<{ name: string; bytes: Uint8Array }[]> {
    const run = this.run;
    if (!run) throw new UsageError('fine-tune first: export writes the adapter of this session');
    let files: Map<string, Uint8Array>;
    if (format === 'peft')
      files = await exportPeft(run.model, run.adapter!, run.added.length ? run.tokenizer : null, run.base.label);
    else {
      LoraAdapter.detach(run.model);
      try {
        files = await exportMerged(run.model, run.adapter, run.tokenizer, run.plan.hfConfig);
      } finally {
        run.adapter?.attach(run.model, { train: false });
      }
    }
    return [...files].map(([name, bytes]) => ({ name, bytes }));
  }

  close(): void {
    this.opened = null;
    this.run?.dispose();
    this.run = null;
    this.model?.dispose();
    this.model = null;
  }
}
