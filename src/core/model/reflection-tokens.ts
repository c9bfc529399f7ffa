/**
 * The ReflectionCoder tokens on a pretrained model, as the official src/utils/model_utils.py does:
 * add the seven tokens as special tokens (official order), resize the embedding (and an untied
 * head) to len(tokenizer) — which shrinks a padded vocabulary, as resize_token_embeddings does —
 * and set each new row to the mean of the rows of the sub-word ids the ORIGINAL tokenizer gives
 * for the token's text (update_new_token). A model whose tokenizer already has the tokens is
 * returned unchanged.
 *
 * Decision: rows between the checkpoint's vocab_size and the original len(tokenizer) — only when a
 * checkpoint is smaller than its tokenizer, which real ones are not — are set to the mean of all
 * existing rows (transformers would sample them); every row the official code sets is set alike.
 */
import * as tf from '@tensorflow/tfjs';
import { ShapeError } from '../errors.ts';
import type { HFTokenizer } from '../tokenizer/hf.ts';
import { EMBED, LM_HEAD, LlamaModel } from './llama.ts';

export interface ReflectionResize {
  model: LlamaModel;
  tokenizer: HFTokenizer;
  /** The tokens added now (empty when the tokenizer already had them). */
  added: { token: string; id: number }[];
  /** The sub-word ids each new row is the mean of. */
  sources: Map<number, number[]>;
}

/**
 * Rows of a stored vocabulary matrix resized to `size`; `vocabAxis` is 0 for [V, D] and 1 for
 * [D, V]. New row id = mean of rows sources.get(id), or of all old rows when it has none.
 */
function resizeVocab(table: tf.Tensor2D, vocabAxis: 0 | 1, size: number, sources: Map<number, number[]>): tf.Tensor2D {
  return tf.tidy(() => {
    const old = table.shape[vocabAxis];
    const firstNew = Math.min(...sources.keys());
    const keep = Math.min(old, firstNew, size);
    const kept = tf.slice(table, [0, 0], vocabAxis === 0 ? [keep, table.shape[1]] : [table.shape[0], keep]);
    const parts: tf.Tensor2D[] = [kept];
    for (let id = keep; id < size; id++) {
      const src = sources.get(id);
      const rows = src ? tf.gather(table, tf.tensor1d(src, 'int32'), vocabAxis) : kept;
      parts.push(tf.mean(rows, vocabAxis, true) as tf.Tensor2D);
    }
    return tf.concat(parts, vocabAxis) as tf.Tensor2D;
  });
}

/**
 * Adds the tokens to `tokenizer` and resizes `model` accordingly. CONSUMES `model` when anything
 * changes (its embedding/head variables are replaced; the other variables move to the new model).
 */
export function addReflectionTokens(model: LlamaModel, tokenizer: HFTokenizer): ReflectionResize {
  const { tokenizer: tok, added } = tokenizer.withReflectionTokens();
  const sources = new Map<number, number[]>();
  if (!added.length) return { model, tokenizer: tok, added, sources };
  const size = tok.size;
  const c = model.config;
  for (const { token, id } of added) {
    const ids = tokenizer.encode(token).filter((i) => i < c.vocabSize);
    if (!ids.length)
      throw new ShapeError(
        `token ${token}: the original tokenizer gives no id inside the model's vocabulary (${c.vocabSize})`,
      );
    sources.set(id, ids);
  }
  const params = new Map(model.params);
  const replaced: tf.Variable[] = [];
  const swap = (name: string, axis: 0 | 1) => {
    const v = params.get(name)!;
    const t = resizeVocab(v as tf.Tensor2D, axis, size, sources);
    params.set(name, tf.variable(t, true));
    t.dispose();
    replaced.push(v);
  };
  swap(EMBED, c.tieEmbeddings ? 1 : 0); // tied: stored [D, V]; untied: [V, D]
  if (!c.tieEmbeddings) swap(LM_HEAD, 1); // stored [D, V]
  const next = LlamaModel.fromVariables({ ...c, vocabSize: size }, params);
  for (const v of replaced) v.dispose();
  model.params.clear(); // the remaining variables now belong to `next`
  model.dispose();
  return { model: next, tokenizer: tok, added, sources };
}
