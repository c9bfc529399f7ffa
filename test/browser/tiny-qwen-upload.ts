/**
 * The files a person picks to open tiny-qwen2 in the page: the fixture's config and weight shards, a small
 * character tokenizer, and a tokenizer_config without a chat template (→ plain completion).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { qwenDir } from '../core/model/qwen2-fixture.ts';
import { charTokenizerJson } from '../services/trainer/tiny-qwen-folder.ts';

export interface UploadFile {
  name: string;
  mimeType: string;
  buffer: Buffer;
}

export function tinyQwenUpload(): UploadFile[] {
  const json = (name: string, value: unknown): UploadFile => ({
    name,
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(value)),
  });
  return [
    ...readdirSync(qwenDir)
      .filter((f) => f === 'config.json' || f.startsWith('model'))
      .map((f) => ({ name: f, mimeType: 'application/octet-stream', buffer: readFileSync(path.join(qwenDir, f)) })),
    json('tokenizer.json', charTokenizerJson()),
    json('tokenizer_config.json', { eos_token: '<|endoftext|>' }),
  ];
}
