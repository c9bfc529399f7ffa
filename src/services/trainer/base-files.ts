/**
 * The base model's files by name, size and sha-256: an adapter-only checkpoint or export names
 * its base this way, and resuming/exporting refuses a folder whose files differ.
 */
import { CheckpointError } from '../../core/errors.ts';
import { INDEX_FILE, SINGLE_FILE, type ModelSource } from '../../core/model/hf-folder.ts';

export interface BaseFile {
  name: string;
  size: number;
  sha256: string;
}

const hex = (b: ArrayBuffer) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, '0')).join('');

export async function sha256Of(src: ModelSource, name: string): Promise<string> {
  if (src.sha256) return src.sha256(name);
  const bytes = await src.read(name);
  return hex(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
}

/** The files that decide the base model's numbers: config.json and the weights (shards + index). */
export function weightFiles(src: ModelSource): string[] {
  const files = src.files();
  const out = ['config.json'];
  if (files.includes(INDEX_FILE))
    out.push(INDEX_FILE, ...files.filter((f) => f.endsWith('.safetensors') && f !== SINGLE_FILE).sort());
  else out.push(SINGLE_FILE);
  return out.filter((f) => files.includes(f));
}

export async function baseFingerprint(src: ModelSource): Promise<BaseFile[]> {
  const out: BaseFile[] = [];
  for (const name of weightFiles(src)) out.push({ name, size: src.size(name), sha256: await sha256Of(src, name) });
  return out;
}

/** Throws CheckpointError naming the first file that is missing or differs. */
export async function checkFingerprint(src: ModelSource, want: BaseFile[]): Promise<void> {
  const have = new Set(src.files());
  for (const f of want) {
    if (!have.has(f.name))
      throw new CheckpointError(`${src.label} is not the base model of this checkpoint: it has no ${f.name}`);
    if (src.size(f.name) !== f.size || (await sha256Of(src, f.name)) !== f.sha256) {
      throw new CheckpointError(
        `${src.label} is not the base model of this checkpoint: ${f.name} differs (sha-256 ${f.sha256.slice(0, 12)}… expected)`,
      );
    }
  }
}
