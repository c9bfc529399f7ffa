/**
 * Hugging Face `config.json` ⇄ LlamaConfig for LlamaForCausalLM and Qwen2ForCausalLM.
 * Keys that do not change the computation (transformers_version, initializer_range, use_cache,
 * token ids, torch_dtype, …) are accepted; every key that would change it is read, and a value
 * this implementation cannot honour is refused by name — never silently ignored.
 */
import { ConfigError } from '../errors.ts';
import { checkModelBounds } from './budget.ts';
import { validateConfig, type LlamaConfig, type ModelArch, type RopeScaling } from './config.ts';

const ARCHS: Record<string, ModelArch> = { LlamaForCausalLM: 'llama', Qwen2ForCausalLM: 'qwen2' };
/** Default max_position_embeddings of each architecture in transformers. */
const DEFAULT_MAX_POS: Record<ModelArch, number> = { llama: 2048, qwen2: 32768 };

function num(j: Record<string, unknown>, key: string, fallback?: number): number {
  const v = j[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new ConfigError(`config.json: "${key}" must be a number, found ${JSON.stringify(j[key])}`);
  return v;
}

/** The architecture named by `architectures` / `model_type`; anything else is refused by name. */
export function hfArch(j: Record<string, unknown>): ModelArch {
  const archs = j.architectures;
  let fromArchs: ModelArch | undefined;
  if (archs !== undefined && archs !== null) {
    if (!Array.isArray(archs) || archs.length !== 1 || typeof archs[0] !== 'string') {
      throw new ConfigError(`config.json: "architectures" must name one architecture, found ${JSON.stringify(archs)}`);
    }
    fromArchs = ARCHS[archs[0]];
    if (!fromArchs)
      throw new ConfigError(
        `config.json: architecture "${archs[0]}" is not supported; supported: ${Object.keys(ARCHS).join(', ')}`,
      );
  }
  const mt = j.model_type;
  if (mt !== undefined && mt !== 'llama' && mt !== 'qwen2')
    throw new ConfigError(`config.json: model_type "${String(mt)}" is not supported; supported: llama, qwen2`);
  if (fromArchs && mt !== undefined && mt !== fromArchs)
    throw new ConfigError(`config.json: model_type "${String(mt)}" contradicts architectures ${JSON.stringify(archs)}`);
  return fromArchs ?? (mt as ModelArch | undefined) ?? 'llama';
}

/** rope_scaling (or transformers 5's rope_parameters) → RopeScaling; refuses unknown types by name. */
function ropeScalingFromHF(raw: unknown): RopeScaling | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw new ConfigError(`config.json: rope_scaling must be an object or null, found ${JSON.stringify(raw)}`);
  const r = raw as Record<string, unknown>;
  const type = r.rope_type ?? r.type;
  if (type === undefined || type === 'default') return undefined;
  if (type === 'linear') return { type: 'linear', factor: num(r, 'factor') };
  if (type === 'llama3') {
    return {
      type: 'llama3',
      factor: num(r, 'factor'),
      lowFreqFactor: num(r, 'low_freq_factor'),
      highFreqFactor: num(r, 'high_freq_factor'),
      originalMaxPositionEmbeddings: num(r, 'original_max_position_embeddings'),
    };
  }
  throw new ConfigError(
    `config.json: rope_scaling type ${JSON.stringify(type)} is not supported; supported: none, linear, llama3`,
  );
}

export interface HFConfigOptions {
  /**
   * Cap on the context this session uses (RoPE tables and the longest sequence). Default: the
   * checkpoint's max_position_embeddings. It does not change any weight or result.
   */
  maxContext?: number;
}

/** config.json names of the size fields, so a refusal names the key the file has. */
const HF_NAMES = {
  vocabSize: 'vocab_size',
  dim: 'hidden_size',
  nLayers: 'num_hidden_layers',
  nHeads: 'num_attention_heads',
  nKvHeads: 'num_key_value_heads',
  ffnDim: 'intermediate_size',
  maxSeqLen: 'max_position_embeddings',
} as const;

/** Reads a Hugging Face config.json object (LlamaForCausalLM or Qwen2ForCausalLM). */
export function configFromHF(json: unknown, opts: HFConfigOptions = {}): LlamaConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new ConfigError('config.json: expected a JSON object');
  const j = json as Record<string, unknown>;
  const arch = hfArch(j);
  const act = j.hidden_act ?? j.hidden_activation ?? 'silu';
  if (act !== 'silu')
    throw new ConfigError(`config.json: hidden_act ${JSON.stringify(act)} is not supported (only "silu")`);
  if (j.quantization_config !== undefined && j.quantization_config !== null)
    throw new ConfigError(
      'config.json: quantization_config is set; quantized checkpoints are not supported (use the float weights)',
    );
  if (j.use_sliding_window === true)
    throw new ConfigError('config.json: use_sliding_window is true; sliding-window attention is not supported');
  const dropout = j.attention_dropout ?? 0;
  if (dropout !== 0)
    throw new ConfigError(`config.json: attention_dropout ${JSON.stringify(dropout)} is not supported (only 0)`);
  const params = (
    typeof j.rope_parameters === 'object' && j.rope_parameters !== null ? j.rope_parameters : undefined
  ) as Record<string, unknown> | undefined;
  const ropeScaling = ropeScalingFromHF(j.rope_scaling ?? params);
  const nHeads = num(j, 'num_attention_heads');
  const dim = num(j, 'hidden_size');
  if (j.head_dim !== undefined && j.head_dim !== null && j.head_dim !== dim / nHeads) {
    throw new ConfigError(
      `config.json: head_dim ${JSON.stringify(j.head_dim)} is not supported: it must equal hidden_size / num_attention_heads = ${dim / nHeads}`,
    );
  }
  let attentionBias: 'qkv' | 'qkvo' | undefined;
  let mlpBias = false;
  if (arch === 'qwen2') attentionBias = 'qkv';
  else {
    for (const k of ['attention_bias', 'mlp_bias']) {
      if (j[k] !== undefined && typeof j[k] !== 'boolean')
        throw new ConfigError(`config.json: ${k} must be a boolean, found ${JSON.stringify(j[k])}`);
    }
    if (j.attention_bias === true) attentionBias = 'qkvo';
    mlpBias = j.mlp_bias === true;
  }
  // Resource guard (budget.ts): size fields bounded, by their config.json names, before any arithmetic on them.
  checkModelBounds(
    {
      vocabSize: j.vocab_size,
      dim,
      nLayers: j.num_hidden_layers,
      nHeads,
      nKvHeads: j.num_key_value_heads ?? nHeads,
      ffnDim: j.intermediate_size,
      maxSeqLen: j.max_position_embeddings ?? undefined,
    },
    'config.json',
    HF_NAMES,
  );
  const tie = j.tie_word_embeddings ?? false;
  if (typeof tie !== 'boolean')
    throw new ConfigError(`config.json: tie_word_embeddings must be a boolean, found ${JSON.stringify(tie)}`);
  const maxPos = num(j, 'max_position_embeddings', DEFAULT_MAX_POS[arch]);
  const cfg: Record<string, unknown> = {
    vocabSize: num(j, 'vocab_size'),
    dim,
    nLayers: num(j, 'num_hidden_layers'),
    nHeads,
    nKvHeads: num(j, 'num_key_value_heads', nHeads),
    ffnDim: num(j, 'intermediate_size'),
    ropeTheta: num(j, 'rope_theta', typeof params?.rope_theta === 'number' ? params.rope_theta : 10000),
    normEps: num(j, 'rms_norm_eps', 1e-6),
    maxSeqLen: opts.maxContext ? Math.min(opts.maxContext, maxPos) : maxPos,
    tieEmbeddings: tie,
  };
  if (arch !== 'llama') cfg.arch = arch; // absent = llama, as in checkpoints written before arch existed
  if (attentionBias) cfg.attentionBias = attentionBias;
  if (mlpBias) cfg.mlpBias = true;
  if (ropeScaling) cfg.ropeScaling = ropeScaling;
  return validateConfig(cfg);
}

/** LlamaConfig → a config.json transformers loads (architecture, biases and rope scaling included). */
export function configToHF(c: LlamaConfig): Record<string, unknown> {
  const arch = c.arch ?? 'llama';
  if (arch === 'qwen2' && c.attentionBias !== 'qkv')
    throw new ConfigError('model config: a qwen2 model always has q/k/v biases (attentionBias "qkv")');
  if (arch === 'qwen2' && c.mlpBias) throw new ConfigError('model config: a qwen2 model has no MLP biases');
  if (arch === 'llama' && c.attentionBias === 'qkv')
    throw new ConfigError(
      'model config: Llama biases are all four attention projections (attentionBias "qkvo") or none',
    );
  const out: Record<string, unknown> = {
    architectures: [arch === 'qwen2' ? 'Qwen2ForCausalLM' : 'LlamaForCausalLM'],
    model_type: arch,
    vocab_size: c.vocabSize,
    hidden_size: c.dim,
    intermediate_size: c.ffnDim,
    num_hidden_layers: c.nLayers,
    num_attention_heads: c.nHeads,
    num_key_value_heads: c.nKvHeads,
    hidden_act: 'silu',
    rms_norm_eps: c.normEps,
    rope_theta: c.ropeTheta,
    max_position_embeddings: c.maxSeqLen,
    tie_word_embeddings: c.tieEmbeddings,
    torch_dtype: 'float32',
  };
  if (arch === 'llama') {
    out.attention_bias = c.attentionBias === 'qkvo';
    out.mlp_bias = !!c.mlpBias;
  } else out.use_sliding_window = false;
  const s = c.ropeScaling;
  out.rope_scaling = !s
    ? null
    : s.type === 'linear'
      ? { rope_type: 'linear', factor: s.factor }
      : {
          rope_type: 'llama3',
          factor: s.factor,
          low_freq_factor: s.lowFreqFactor,
          high_freq_factor: s.highFreqFactor,
          original_max_position_embeddings: s.originalMaxPositionEmbeddings,
        };
  return out;
}
