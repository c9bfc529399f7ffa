/** Where the third-party HumanEval.jsonl lives (../shared/data, never copied into the repo). */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const repoRoot = path.resolve(import.meta.dirname, '..', '..', '..');
export const HUMANEVAL_PATH = path.resolve(repoRoot, '..', 'shared', 'data', 'HumanEval.jsonl');
export const HAS_HUMANEVAL = existsSync(HUMANEVAL_PATH);
export const SKIP_HUMANEVAL = `skipped: ${HUMANEVAL_PATH} is absent (third-party data, not in the repo)`;
export function readHumanEval(): string {
  return readFileSync(HUMANEVAL_PATH, 'utf8');
}
