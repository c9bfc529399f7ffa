/**
 * The run config: a model preset (+ overrides), the tokenizer size, the training recipe
 * (TrainConfig from src/core/train/config.ts) and how often to report and checkpoint. One typed
 * object with defaults, validated where it enters (Train panel editor, CLI --config, checkpoint):
 * unknown keys and impossible values are ConfigErrors naming the key. Pure: the UI imports it too.
 */
import { ConfigError } from '../errors.ts';
import { guardTraining } from '../model/budget.ts';
import { MODEL_PRESETS, validateConfig, type LlamaConfig } from '../model/config.ts';
import { DEFAULT_TRAIN_CONFIG, validateTrainConfig, type TrainConfig } from './config.ts';
import { RECIPE_NAMES, TRAIN_RECIPES } from './recipes.ts';
import { MAX_VOCAB_SIZE, MIN_VOCAB_SIZE } from '../tokenizer/bpe.ts';

export type ModelOverrides = Partial<Omit<LlamaConfig, 'vocabSize'>>;

export interface RunConfig {
  /** A key of MODEL_PRESETS. */
  preset: string;
  /** Applied on top of the preset; vocabSize always comes from the tokenizer. */
  model: ModelOverrides;
  /** Target BPE vocabulary size, trained on the chosen datasets when a run starts fresh. */
  vocabSize: number;
  /** Training recipe applied over the preset's train defaults: `app` (none), `released` (the official
   *  command's knobs), `paper` (the same with the paper's block order). See core/train/recipes.ts. */
  recipe: string;
  train: TrainConfig;
  /** A progress event every N optimizer steps (the last step always reports). */
  progressEvery: number;
  /** A checkpoint every K optimizer steps; 0 = only when the run ends or is stopped. */
  checkpointEvery: number;
}

export const RUN_PRESETS: string[] = Object.keys(MODEL_PRESETS);

/**
 * Per-preset run defaults, sized for what the preset is for (tiny: browser tests, smoke: the CLI
 * and quick demos, mini/small: real runs). The demo reflection records are 500–820 tokens even
 * with a saturated BPE vocabulary (the reflection instruction alone is long), so the small presets
 * raise maxSeqLen to 1024: with the presets' own 128/256/512 every reflection record would be
 * dropped and the run would train on instruction data only.
 */
const PRESET_RUN: Record<
  string,
  { vocabSize: number; model: ModelOverrides; train: Partial<TrainConfig>; checkpointEvery: number }
> = {
  tiny: {
    vocabSize: 1024,
    model: { maxSeqLen: 1024 },
    train: { maxSteps: 20, batchSize: 1, maxLen: 1024, lr: 3e-3 },
    checkpointEvery: 5,
  },
  smoke: {
    vocabSize: 1024,
    model: { maxSeqLen: 1024 },
    train: { maxSteps: 60, batchSize: 2, maxLen: 1024, lr: 2e-3 },
    checkpointEvery: 10,
  },
  mini: {
    vocabSize: 2048,
    model: { maxSeqLen: 1024 },
    train: { epochs: 2, batchSize: 4, maxLen: 1024, lr: 1e-3 },
    checkpointEvery: 50,
  },
  small: {
    vocabSize: 8192,
    model: {},
    train: { epochs: 2, batchSize: 8, maxLen: 1024, lr: 5e-4 },
    checkpointEvery: 50,
  },
};

function presetRun(preset: string) {
  const model = MODEL_PRESETS[preset];
  if (!model) throw new ConfigError(`unknown preset "${preset}"; expected one of ${RUN_PRESETS.join(', ')}`);
  const r = PRESET_RUN[preset] ?? { vocabSize: model.vocabSize, model: {}, train: {}, checkpointEvery: 50 };
  return { ...r, vocabSize: Math.max(MIN_VOCAB_SIZE, r.vocabSize) };
}

/** The complete default config of a preset (what the Train panel's editor starts from). */
export function defaultRunConfig(preset: string): RunConfig {
  const r = presetRun(preset);
  return {
    preset,
    model: { ...r.model },
    vocabSize: r.vocabSize,
    recipe: 'app',
    train: { ...DEFAULT_TRAIN_CONFIG, ...r.train },
    progressEvery: 1,
    checkpointEvery: r.checkpointEvery,
  };
}

const RUN_KEYS = ['preset', 'model', 'vocabSize', 'recipe', 'train', 'progressEvery', 'checkpointEvery'] as const;

/** Shallow merge, one level deeper for the nested sections (a given `mask.strategy` keeps the recipe's `mask.order`). */
function mergeTrain(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = base[k];
    const nested = (x: unknown): x is Record<string, unknown> =>
      typeof x === 'object' && x !== null && !Array.isArray(x);
    out[k] = nested(b) && nested(v) ? { ...b, ...v } : v;
  }
  return out;
}

function intIn(v: unknown, key: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new ConfigError(`${key} must be an integer in [${min}, ${max}], found ${JSON.stringify(v)}`);
  }
  return v;
}

/**
 * Validates a (partial) run config. Missing top-level keys take the preset's defaults, so
 * `{ "preset": "smoke", "train": { "maxSteps": 40 } }` is a complete config.
 */
export function validateRunConfig(raw: unknown): RunConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new ConfigError(
      `run config must be a JSON object, found ${raw === null ? 'null' : Array.isArray(raw) ? 'an array' : typeof raw}`,
    );
  const o = raw as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => !(RUN_KEYS as readonly string[]).includes(k));
  if (unknown.length)
    throw new ConfigError(
      `unknown run config key(s) ${unknown.map((k) => `"${k}"`).join(', ')}; expected ${RUN_KEYS.join(', ')}`,
    );
  const preset = o.preset ?? 'smoke';
  if (typeof preset !== 'string' || !MODEL_PRESETS[preset])
    throw new ConfigError(`preset must be one of ${RUN_PRESETS.join(', ')}, found ${JSON.stringify(preset)}`);
  const d = defaultRunConfig(preset);
  const given = o.model ?? {};
  if (typeof given !== 'object' || given === null || Array.isArray(given))
    throw new ConfigError(`model must be an object of overrides, found ${JSON.stringify(given)}`);
  const modelRaw = { ...d.model, ...given };
  if ('vocabSize' in modelRaw)
    throw new ConfigError(
      'model.vocabSize cannot be set: the model takes the tokenizer\'s size (set the top-level "vocabSize" instead)',
    );
  const vocabSize = intIn(o.vocabSize ?? d.vocabSize, 'vocabSize', MIN_VOCAB_SIZE, MAX_VOCAB_SIZE);
  // The full model config validates the overrides (unknown keys, divisibility, ...).
  const model = validateConfig({ ...MODEL_PRESETS[preset], ...modelRaw, vocabSize });
  if (o.train !== undefined && (typeof o.train !== 'object' || o.train === null || Array.isArray(o.train)))
    throw new ConfigError(`train must be an object, found ${JSON.stringify(o.train)}`);
  const recipe = o.recipe ?? 'app';
  if (typeof recipe !== 'string' || !RECIPE_NAMES.includes(recipe))
    throw new ConfigError(`recipe must be one of ${RECIPE_NAMES.join(', ')}, found ${JSON.stringify(recipe)}`);
  const train = validateTrainConfig(
    mergeTrain(
      mergeTrain(presetRun(preset).train, TRAIN_RECIPES[recipe]!),
      (o.train as Record<string, unknown> | undefined) ?? {},
    ),
  );
  if (train.maxLen > model.maxSeqLen) {
    throw new ConfigError(
      `train.maxLen (${train.maxLen}) exceeds the model's maxSeqLen (${model.maxSeqLen}); lower train.maxLen or raise model.maxSeqLen`,
    );
  }
  guardTraining(model, train, 'run config');
  return {
    preset,
    model: modelRaw as ModelOverrides,
    vocabSize,
    recipe,
    train,
    progressEvery: intIn(o.progressEvery ?? d.progressEvery, 'progressEvery', 1, 1_000_000),
    checkpointEvery: intIn(o.checkpointEvery ?? d.checkpointEvery, 'checkpointEvery', 0, 1_000_000),
  };
}

/** The model config a run builds: preset + overrides, vocabSize = the tokenizer's. */
export function modelConfigFor(cfg: RunConfig, tokenizerVocab: number): LlamaConfig {
  return validateConfig({ ...MODEL_PRESETS[cfg.preset], ...cfg.model, vocabSize: tokenizerVocab });
}
