/** Loading test/fixtures/tiny-qwen2 (bf16, two shards + index, tied, q/k/v biases) for the model tests. */
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { loadHFFolder, type OpenedHFModel } from '../../../src/core/model/hf-folder.ts';
import { parseSafetensors, type SafeTensor } from '../../../src/core/model/safetensors.ts';
import { nodeModelSource } from '../../../src/platform/node/model-folder.ts';
import { repoRoot } from './fixture.ts';

export const qwenDir = path.join(repoRoot, 'test', 'fixtures', 'tiny-qwen2');

export function openTinyQwen(): Promise<OpenedHFModel> {
  return loadHFFolder(nodeModelSource(qwenDir));
}

export function qwenReference(name = 'forward-reference.safetensors'): Map<string, SafeTensor> {
  return parseSafetensors(new Uint8Array(readFileSync(path.join(qwenDir, name))));
}

/** Elements outside atol 1e-5 + rtol 1e-3 (the fixtures README's per-element gradient tolerance). */
export function countOutside(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let bad = 0;
  for (let i = 0; i < want.length; i++) if (!(Math.abs(got[i] - want[i]) <= 1e-5 + 1e-3 * Math.abs(want[i]))) bad++;
  return bad;
}
