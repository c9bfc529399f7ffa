/** Writes a map of files into a folder (created if needed). */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export function writeFolder(dir: string, files: Map<string, Uint8Array>): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, bytes] of files) writeFileSync(path.join(dir, name), bytes);
}
