/** The File-based ModelSource (what the page uses) loads tiny-qwen2 exactly like the disk reader. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { loadHFFolder } from '../../src/core/model/hf-folder.ts';
import { fileListSource } from '../../src/platform/browser/model-folder.ts';
import { selectNodeBackend } from '../../src/platform/node/backend.ts';
import { qwenDir } from '../core/model/qwen2-fixture.ts';

describe('fileListSource', () => {
  it('reads a picked folder (webkitRelativePath) by range and loads the model', async () => {
    await selectNodeBackend('cpu');
    const files = readdirSync(qwenDir)
      .filter((f) => f.endsWith('.json') || f.endsWith('.safetensors'))
      .map((f) => {
        const file = new File([readFileSync(path.join(qwenDir, f))], f);
        Object.defineProperty(file, 'webkitRelativePath', { value: `tiny-qwen2/${f}` });
        return file;
      });
    const src = fileListSource(files);
    expect(src.label).toBe('tiny-qwen2');
    expect(src.files()).toContain('model.safetensors.index.json');
    const head = await src.read('model-00001-of-00002.safetensors', 0, 8);
    expect(head.length).toBe(8);
    const { model } = await loadHFFolder(src);
    const logits = model.forward(tf.tensor2d([[1, 2, 3]], [1, 3], 'int32'));
    expect(logits.shape).toEqual([1, 3, 128]);
    logits.dispose();
    model.dispose();
  });
});
