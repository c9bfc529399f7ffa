// Over 300 lines: the LoRA adapter (init, attach, PEFT layout, merge) is one class, plus the PEFT config it reads and writes.
/**
 * LoRA (Hu et al. 2021) in PEFT's convention: an adapted linear is y = x Wᵀ + b + s · (drop(x) Aᵀ) Bᵀ
 * with A [r, in], B [out, r], s = alpha / r. The base stays frozen: training differentiates the
 * adapter's variables only, and AdamW holds moments for those alone.
 *
 * Storage: A and B are stored transposed, Aᵀ [in, r] and Bᵀ [r, out], so both products are plain
 * 2-D matmuls (ops.ts linear); PEFT layout on the way in and out.
 *
 * New-token rows (the ReflectionCoder tokens) are trainable in LoRA mode too: the frozen
 * embedding keeps their mean-initialised rows, and two small variables hold a DELTA for those k
 * rows — `rows.embed` [k, D] added to the embeddings of ids first…first+k-1, and (untied head)
 * `rows.head` [D, k] added to those logits. A tied model uses rows.embed for both, as tying does.
 * A merged export writes base + delta.
 */
import * as tf from '@tensorflow/tfjs';
import { CheckpointError, ConfigError } from '../errors.ts';
import { Rng } from '../rng.ts';
import type { LlamaConfig } from './config.ts';
import { EMBED, hfParamShapes, layerName, LINEARS, LM_HEAD, type LlamaModel } from './llama.ts';
import { embed, linear } from './ops.ts';

export const LORA_TARGETS = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const;
export type LoraTarget = (typeof LORA_TARGETS)[number];

export interface LoraConfig {
  rank: number;
  alpha: number;
  dropout: number;
  targets: LoraTarget[];
}

export const DEFAULT_LORA: LoraConfig = { rank: 8, alpha: 16, dropout: 0.05, targets: [...LORA_TARGETS] };

export function validateLoraConfig(raw: Partial<LoraConfig>): LoraConfig {
  const c = { ...DEFAULT_LORA, ...raw };
  if (!Number.isInteger(c.rank) || c.rank < 1)
    throw new ConfigError(`lora.rank must be a positive integer, found ${JSON.stringify(c.rank)}`);
  if (typeof c.alpha !== 'number' || !(c.alpha > 0))
    throw new ConfigError(`lora.alpha must be a positive number, found ${JSON.stringify(c.alpha)}`);
  if (typeof c.dropout !== 'number' || !(c.dropout >= 0 && c.dropout < 1))
    throw new ConfigError(`lora.dropout must be in [0, 1), found ${JSON.stringify(c.dropout)}`);
  if (!Array.isArray(c.targets) || c.targets.length === 0)
    throw new ConfigError('lora.targets must list at least one module');
  const bad = c.targets.filter((t) => !(LORA_TARGETS as readonly string[]).includes(t));
  if (bad.length)
    throw new ConfigError(`lora.targets: unknown module(s) ${bad.join(', ')}; choose from ${LORA_TARGETS.join(', ')}`);
  return { rank: c.rank, alpha: c.alpha, dropout: c.dropout, targets: [...new Set(c.targets)] };
}

/** The linear weight names (model.layers.i.<part>.weight) a config adapts, in model order. */
export function loraModules(mc: LlamaConfig, targets: readonly LoraTarget[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < mc.nLayers; i++)
    for (const part of LINEARS) if (targets.includes(part.split('.')[1] as LoraTarget)) out.push(layerName(i, part));
  return out;
}

/** `model.layers.0.self_attn.q_proj.weight` → `model.layers.0.self_attn.q_proj`. */
export const moduleOf = (weight: string) => weight.replace(/\.weight$/, '');

export interface TrainableRows {
  first: number;
  count: number;
  embed: tf.Variable;
  head: tf.Variable | null;
}

export class LoraAdapter {
  readonly scale: number;
  /** By linear weight name: Aᵀ [in, r] and Bᵀ [r, out]. */
  readonly modules = new Map<string, { a: tf.Variable; b: tf.Variable }>();
  rows: TrainableRows | null = null;
  private dropCalls = 0;
  private dropStep = 0;

  /** Dropout masks depend on (seed, step, call within the step) only, so a resumed run draws the same masks. */
  beginStep(step: number): void {
    this.dropStep = step;
    this.dropCalls = 0;
  }

  private constructor(
    readonly config: LoraConfig,
    readonly modelConfig: LlamaConfig,
  ) {
    this.scale = config.alpha / config.rank;
  }

  /** PEFT's init: A ~ kaiming_uniform(a=√5) = U(±1/√in), B = 0 (the adapter starts as a no-op). */
  static init(
    mc: LlamaConfig,
    cfg: Partial<LoraConfig>,
    seed: number,
    newRows?: { first: number; count: number },
  ): LoraAdapter {
    const ad = new LoraAdapter(validateLoraConfig(cfg), mc);
    const rng = new Rng(seed);
    const shapes = hfParamShapes(mc);
    const r = ad.config.rank;
    for (const w of loraModules(mc, ad.config.targets)) {
      const [out, inn] = shapes.get(w)!;
      const bound = 1 / Math.sqrt(inn);
      const a = new Float32Array(inn * r);
      for (let i = 0; i < a.length; i++) a[i] = (2 * rng.next() - 1) * bound;
      ad.modules.set(w, { a: tf.variable(tf.tensor2d(a, [inn, r]), true), b: tf.variable(tf.zeros([r, out]), true) });
    }
    if (newRows && newRows.count > 0) ad.setRows(newRows.first, newRows.count);
    return ad;
  }

  /** Zero deltas for the new-token rows first…first+count-1. */
  setRows(first: number, count: number, embedDelta?: tf.Tensor, headDelta?: tf.Tensor): void {
    const d = this.modelConfig.dim;
    if (first + count > this.modelConfig.vocabSize)
      throw new ConfigError(
        `trainable rows ${first}…${first + count - 1} exceed the vocabulary (${this.modelConfig.vocabSize})`,
      );
    this.rows?.embed.dispose();
    this.rows?.head?.dispose();
    this.rows = {
      first,
      count,
      embed: tf.variable(embedDelta ? embedDelta.clone() : tf.zeros([count, d]), true),
      head: this.modelConfig.tieEmbeddings
        ? null
        : tf.variable(headDelta ? headDelta.clone() : tf.zeros([d, count]), true),
    };
  }

  /** Trainable variables by name: `<module>.lora_A.weight` / `.lora_B.weight` (stored transposed) and the row deltas. */
  params(): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>();
    for (const [w, { a, b }] of this.modules) {
      out.set(`${moduleOf(w)}.lora_A.weight`, a);
      out.set(`${moduleOf(w)}.lora_B.weight`, b);
    }
    if (this.rows) {
      out.set(ROWS_EMBED, this.rows.embed);
      if (this.rows.head) out.set(ROWS_HEAD, this.rows.head);
    }
    return out;
  }

  /**
   * Wires the adapter into the model's forward. `train` turns dropout on (seeded; each call draws
   * a new mask from the seed and a call counter).
   */
  attach(model: LlamaModel, opts: { train?: boolean; seed?: number } = {}): void {
    if (
      model.config.vocabSize !== this.modelConfig.vocabSize ||
      model.config.dim !== this.modelConfig.dim ||
      model.config.nLayers !== this.modelConfig.nLayers
    ) {
      throw new CheckpointError('this adapter was made for another base model (vocabulary, width or depth differ)');
    }
    const p = this.config.dropout;
    const seed = opts.seed ?? 0;
    const adapters = new Map<string, (x: tf.Tensor2D) => tf.Tensor2D>();
    for (const [w, { a, b }] of this.modules) {
      adapters.set(w, (x) => {
        const xin =
          opts.train && p > 0
            ? (tf.dropout(
                x,
                p,
                undefined,
                (seed * 1_000_003 + this.dropStep * 10_007 + this.dropCalls++) >>> 0,
              ) as tf.Tensor2D)
            : x;
        return tf.mul(linear(linear(xin, a as tf.Tensor2D), b as tf.Tensor2D), this.scale) as tf.Tensor2D; // [N, out]
      });
    }
    model.adapters = adapters;
    const rows = this.rows;
    if (rows) {
      const v = model.config.vocabSize;
      model.embedHook = (ids) => {
        // id in [first, first+count) → 1 + (id - first); any other id → row 0, a constant zero.
        const int = (n: number) => tf.scalar(n, 'int32');
        const rel = tf.sub(tf.cast(ids, 'int32'), int(rows.first));
        const inside = tf.logicalAnd(tf.greaterEqual(rel, int(0)), tf.less(rel, int(rows.count)));
        const idx = tf.where(inside, tf.add(rel, int(1)), tf.zerosLike(rel)) as tf.Tensor1D;
        return embed(tf.concat([tf.zeros([1, model.config.dim]), rows.embed], 0) as tf.Tensor2D, idx); // [N, D]
      };
      model.headHook = (hidden) => {
        const w = (rows.head ?? tf.transpose(rows.embed)) as tf.Tensor2D; // [D, k]
        return tf.pad(linear(hidden, w), [
          [0, 0],
          [rows.first, v - rows.first - rows.count],
        ]) as tf.Tensor2D; // [M, V]
      };
    } else {
      model.embedHook = null;
      model.headHook = null;
    }
    model.trainableOverride = this.params();
    model.frozenBase = true;
  }

  static detach(model: LlamaModel): void {
    model.adapters = null;
    model.embedHook = null;
    model.headHook = null;
    model.trainableOverride = null;
    model.frozenBase = false;
  }

  /** HF layout of one adapter parameter (lora_A [r, in], lora_B [out, r]; rows as stored). */
  toHF(name: string, t: tf.Tensor): tf.Tensor {
    return name.endsWith('.lora_A.weight') || name.endsWith('.lora_B.weight') || name === ROWS_HEAD
      ? tf.transpose(t)
      : t.clone();
  }

  /**
   * Base + adapter in Hugging Face layout, for each weight the adapter changes:
   * W + s·B·A, and the embedding/head with the row deltas added.
   */
  mergedWeights(model: LlamaModel): Map<string, tf.Tensor> {
    const out = new Map<string, tf.Tensor>();
    for (const [w, { a, b }] of this.modules) {
      out.set(
        w,
        tf.tidy(() => model.toHF(w, tf.add(model.params.get(w)!, tf.mul(tf.matMul(a, b), this.scale)))),
      );
    }
    const rows = this.rows;
    if (rows) {
      const v = model.config.vocabSize;
      const padRows = (delta: tf.Tensor) =>
        tf.pad(delta, [
          [rows.first, v - rows.first - rows.count],
          [0, 0],
        ]); // [V, D]
      out.set(
        EMBED,
        tf.tidy(() => tf.add(model.toHF(EMBED, model.params.get(EMBED)!), padRows(rows.embed))),
      );
      if (rows.head)
        out.set(
          LM_HEAD,
          tf.tidy(() => tf.add(model.toHF(LM_HEAD, model.params.get(LM_HEAD)!), padRows(tf.transpose(rows.head!)))),
        );
    }
    return out;
  }

  /** Builds an adapter from PEFT tensors (HF layout) and adapter_config.json; refuses another base's adapter. */
  static fromPeft(
    mc: LlamaConfig,
    adapterConfig: unknown,
    tensors: Map<string, { shape: number[]; data: Float32Array | Int32Array }>,
  ): LoraAdapter {
    const saved = [`${PEFT_PREFIX}${EMBED}`, `${PEFT_PREFIX}${LM_HEAD}`];
    const cfg = parsePeftConfig(adapterConfig);
    const ad = new LoraAdapter(cfg, mc);
    const shapes = hfParamShapes(mc);
    const seen = new Set<string>();
    const made: tf.Variable[] = [];
    try {
      for (const w of loraModules(mc, cfg.targets)) {
        const m = `${PEFT_PREFIX}${moduleOf(w)}`;
        const [out, inn] = shapes.get(w)!;
        const get = (k: string, want: number[]) => {
          const t = tensors.get(k);
          if (!t)
            throw new CheckpointError(
              `adapter has no ${k}: it was made for another base model or other target modules`,
            );
          if (t.shape.join(',') !== want.join(','))
            throw new CheckpointError(
              `adapter tensor ${k} has shape [${t.shape}], this base needs [${want}]: the adapter is for another base model`,
            );
          if (!(t.data instanceof Float32Array))
            throw new CheckpointError(`adapter tensor ${k} must be floating point`);
          seen.add(k);
          return t.data;
        };
        const A = get(`${m}.lora_A.weight`, [cfg.rank, inn]);
        const B = get(`${m}.lora_B.weight`, [out, cfg.rank]);
        const a = tf.variable(
          tf.tidy(() => tf.transpose(tf.tensor2d(A, [cfg.rank, inn]))),
          true,
        );
        made.push(a);
        const b = tf.variable(
          tf.tidy(() => tf.transpose(tf.tensor2d(B, [out, cfg.rank]))),
          true,
        );
        made.push(b);
        ad.modules.set(w, { a, b });
      }
      const extra = [...tensors.keys()].filter((k) => !seen.has(k) && !saved.includes(k));
      if (extra.length)
        throw new CheckpointError(
          `adapter has tensor(s) this base does not have: ${extra.slice(0, 3).join(', ')}: it is for another base model`,
        );
    } catch (e) {
      for (const v of made) v.dispose();
      throw e;
    }
    return ad;
  }

  dispose(): void {
    for (const { a, b } of this.modules.values()) tf.dispose([a, b]);
    this.modules.clear();
    this.rows?.embed.dispose();
    this.rows?.head?.dispose();
    this.rows = null;
  }
}

export const PEFT_PREFIX = 'base_model.model.';
export const ROWS_EMBED = 'reflection_rows.embed_delta';
export const ROWS_HEAD = 'reflection_rows.head_delta';

/** adapter_config.json → LoraConfig (LORA only, no fan_in_fan_out / rslora / DoRA / biases). */
export function parsePeftConfig(raw: unknown): LoraConfig {
  if (typeof raw !== 'object' || raw === null) throw new ConfigError('adapter_config.json: expected a JSON object');
  const j = raw as Record<string, unknown>;
  if (j.peft_type !== undefined && j.peft_type !== 'LORA')
    throw new ConfigError(`adapter_config.json: peft_type ${JSON.stringify(j.peft_type)} is not supported (only LORA)`);
  for (const k of ['fan_in_fan_out', 'use_rslora', 'use_dora'])
    if (j[k] === true) throw new ConfigError(`adapter_config.json: ${k} is not supported`);
  if (j.bias !== undefined && j.bias !== 'none')
    throw new ConfigError(`adapter_config.json: bias ${JSON.stringify(j.bias)} is not supported (only "none")`);
  for (const k of ['rank_pattern', 'alpha_pattern']) {
    const v = j[k];
    if (v && typeof v === 'object' && Object.keys(v).length)
      throw new ConfigError(`adapter_config.json: ${k} is not supported`);
  }
  let targets = j.target_modules;
  if (typeof targets === 'string') targets = targets === 'all-linear' ? [...LORA_TARGETS] : [targets];
  return validateLoraConfig({
    rank: j.r as number,
    alpha: j.lora_alpha as number,
    dropout: (j.lora_dropout as number) ?? 0,
    targets: targets as LoraTarget[],
  });
}

/** adapter_config.json for a LoraConfig (what PEFT writes for LoRA on a causal LM). */
export function peftConfigJson(cfg: LoraConfig, baseModel: string): Record<string, unknown> {
  return {
    peft_type: 'LORA',
    task_type: 'CAUSAL_LM',
    r: cfg.rank,
    lora_alpha: cfg.alpha,
    lora_dropout: cfg.dropout,
    bias: 'none',
    fan_in_fan_out: false,
    use_rslora: false,
    inference_mode: true,
    target_modules: [...cfg.targets].sort(),
    base_model_name_or_path: baseModel,
  };
}
