/**
 * Completion post-processing (docs/METHOD.md §7). Two rules:
 *
 * `official` (default) — exactly the official script (SenseLLM/ReflectionCoder src/test.py, lines
 * 33–55, after vLLM's stop strings of lines 175–181):
 *   0. generation stops at the first <|endofblock|> / <|endofmessage|>, the stop string excluded (vLLM);
 *   1. remove <|text|>, <|code|>, <|endofblock|>, <|endofmessage|>;
 *   2. fence parity: with an odd number of ``` cut at the LAST one; otherwise keep what follows the first
 *      fence's line — `code[code.find('```') + 3:]` then `code[code.find('\n') + 1:]`, so with no fence
 *      at all the first two characters and then the whole first line are dropped (find() returns -1);
 *   3. cut at the first of `\n# Test`, `\nif`, `\nassert`, `\nprint`, `\n```` (each in turn, plain
 *      substring: `\nif` also cuts before `iffy = 1`; an indented `    if` never cuts);
 *   4. Python str.strip().
 * `clean` — this project's earlier rule: the same, except that step 2 cuts at the FIRST fence whatever
 *   the count (identical for the usual single closing fence, and without the no-fence accident that
 *   drops the first line of a fence-less completion).
 */
import { pyStrip } from './prompt.ts';

export const POSTPROCESS_MODES = ['official', 'clean'] as const;
export type PostprocessMode = (typeof POSTPROCESS_MODES)[number];

export const STOP_STRINGS = ['<|endofblock|>', '<|endofmessage|>'] as const;
export const REMOVED_STRINGS = ['<|text|>', '<|code|>', '<|endofblock|>', '<|endofmessage|>'] as const;
export const CUT_STRINGS = ['\n# Test', '\nif', '\nassert', '\nprint', '\n```'] as const;
const FENCE = '```';

function countOf(s: string, sub: string): number {
  let n = 0;
  for (let i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + sub.length)) n++;
  return n;
}

/** Python's `code[code.find('```') + 3:]` then `code[code.find('\n') + 1:]`, code points as Python counts them. */
function afterFirstFenceLine(code: string): string {
  const f = code.indexOf(FENCE);
  // find() = -1: Python slices from index 2 — two code points, which an astral character makes 4 UTF-16 units.
  let rest = f >= 0 ? code.slice(f + FENCE.length) : Array.from(code).slice(2).join('');
  const nl = rest.indexOf('\n');
  rest = rest.slice(nl + 1);
  return rest;
}

export function postprocessCompletion(raw: string, mode: PostprocessMode = 'official'): string {
  let code = raw;
  for (const s of STOP_STRINGS) {
    const i = code.indexOf(s);
    if (i >= 0) code = code.slice(0, i);
  }
  for (const s of REMOVED_STRINGS) code = code.split(s).join('');
  if (mode === 'official') {
    code = countOf(code, FENCE) % 2 === 1 ? code.slice(0, code.lastIndexOf(FENCE)) : afterFirstFenceLine(code);
  } else {
    const fence = code.indexOf(FENCE);
    if (fence >= 0) code = code.slice(0, fence);
  }
  for (const s of CUT_STRINGS) {
    const i = code.indexOf(s);
    if (i >= 0) code = code.slice(0, i);
  }
  return pyStrip(code);
}
