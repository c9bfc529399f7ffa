/**
 * Finds and loads a model WITH its tokenizer for `evaluate --model <path>` (HumanEval needs the text path):
 *   - a trainer checkpoint folder: checkpoint.json + checkpoint.safetensors (what `train --out` writes under
 *     <out>/checkpoints/<id>/);
 *   - a trainer store (the `train --out` folder itself): its newest checkpoint, or `checkpointId`;
 *   - a model folder: config.json + model.safetensors + tokenizer.json (the `generate` format).
 * A llama2.c .bin has no tokenizer for code, so it is refused with that reason.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../core/errors.ts';
import { loadModel } from '../core/model/load.ts';
import { BpeTokenizer } from '../core/tokenizer/bpe.ts';
import { LoadedModel } from '../services/trainer/generation.ts';
import { FileStore } from '../platform/node/file-store.ts';

export interface EvalModel {
  loaded: LoadedModel;
  /** What was loaded, for the summary line. */
  source: string;
}

function checkpointFolder(dir: string): EvalModel {
  const files = {
    safetensors: new Uint8Array(readFileSync(path.join(dir, 'checkpoint.safetensors'))),
    json: readFileSync(path.join(dir, 'checkpoint.json'), 'utf8'),
  };
  return { loaded: LoadedModel.fromCheckpoint(files), source: `checkpoint ${dir}` };
}

export async function loadEvalModel(p: string, checkpointId?: string): Promise<EvalModel> {
  if (!existsSync(p)) throw new UsageError(`--model: ${p} does not exist`);
  if (!statSync(p).isDirectory()) {
    throw new UsageError(
      `--model: ${p} is a file; a llama2.c .bin has no tokenizer for code. Give a trainer checkpoint folder (train --out <dir>), ` +
        'or a folder with config.json + model.safetensors + tokenizer.json',
    );
  }
  const has = (f: string) => existsSync(path.join(p, f));
  if (checkpointId !== undefined) {
    if (!has('checkpoints'))
      throw new UsageError(
        `--checkpoint needs --model to be a trainer store (train --out <dir>); ${p} has no checkpoints/ folder`,
      );
    const got = await new FileStore(p).getCheckpoint(checkpointId);
    if (!got) throw new UsageError(`--checkpoint: no checkpoint "${checkpointId}" in ${p}`);
    return {
      loaded: LoadedModel.fromCheckpoint(got.files),
      source: `checkpoint ${got.meta.id} (${got.meta.name}, step ${got.meta.step})`,
    };
  }
  if (has('checkpoint.json') && has('checkpoint.safetensors')) return checkpointFolder(p);
  if (has('checkpoints')) {
    const store = new FileStore(p);
    const metas = await store.listCheckpoints();
    if (!metas.length) throw new UsageError(`--model: the store ${p} holds no checkpoint`);
    const newest = [...metas].sort((a, b) => b.savedAt.localeCompare(a.savedAt))[0];
    const got = await store.getCheckpoint(newest.id);
    if (!got) throw new UsageError(`--model: checkpoint ${newest.id} in ${p} cannot be read`);
    return {
      loaded: LoadedModel.fromCheckpoint(got.files),
      source: `checkpoint ${newest.id} (${newest.name}, step ${newest.step}; newest of ${metas.length})`,
    };
  }
  if (has('config.json') && has('model.safetensors')) {
    if (!has('tokenizer.json'))
      throw new UsageError(`--model: ${p} has no tokenizer.json; HumanEval needs the model's tokenizer`);
    const model = loadModel({
      kind: 'hf',
      config: new Uint8Array(readFileSync(path.join(p, 'config.json'))),
      safetensors: new Uint8Array(readFileSync(path.join(p, 'model.safetensors'))),
    });
    const tok = BpeTokenizer.fromJSON(JSON.parse(readFileSync(path.join(p, 'tokenizer.json'), 'utf8')));
    if (tok.vocabSize > model.config.vocabSize) {
      model.dispose();
      throw new UsageError(
        `--model: tokenizer.json has ${tok.vocabSize} tokens but the model's vocabulary is ${model.config.vocabSize}`,
      );
    }
    return { loaded: new LoadedModel(model, tok), source: `model folder ${p}` };
  }
  throw new UsageError(
    `--model: ${p} is neither a trainer checkpoint (checkpoint.json + checkpoint.safetensors), a trainer store (checkpoints/), nor a model folder (config.json + model.safetensors + tokenizer.json)`,
  );
}
