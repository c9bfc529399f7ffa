/** The tokenizer of a model folder (tokenizer.json + tokenizer_config.json), from any ModelSource. */
import { TokenizerError } from '../errors.ts';
import type { ModelSource } from '../model/hf-folder.ts';
import { HFTokenizer } from './hf.ts';

async function json(src: ModelSource, name: string): Promise<unknown> {
  try {
    return JSON.parse(new TextDecoder().decode(await src.read(name)));
  } catch (e) {
    throw new TokenizerError(`${src.label}/${name} is not valid JSON: ${(e as Error).message}`);
  }
}

/** null when the folder has no tokenizer.json (the model still loads and generates from ids). */
export async function loadHFTokenizer(src: ModelSource): Promise<HFTokenizer | null> {
  const files = new Set(src.files());
  if (!files.has('tokenizer.json')) return null;
  const config = files.has('tokenizer_config.json') ? await json(src, 'tokenizer_config.json') : {};
  return new HFTokenizer(await json(src, 'tokenizer.json'), config);
}
