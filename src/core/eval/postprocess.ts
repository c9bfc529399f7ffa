/**
 * Completion post-processing (METHOD.md §7), following the official ReflectionCoder script
 * (src/test.py `post_process`) step by step:
 *   1. stop at the first <|endofblock|> / <|endofmessage|> (vLLM stop strings; generation normally stops there);
 *   2. remove the block-type strings <|text|> and <|code|> (decoded with skip_special_tokens=False);
 *   3. strip the closing fence: the prompt opened a ```python block, so the code ends at the first ``` ;
 *   4. cut at the first of `\n# Test`, `\nif`, `\nassert`, `\nprint`, `\n```` — plain substring search, so a
 *      cut string matches only at the start of a line (column 0, nothing indented) but as a PREFIX of that
 *      line: `\nif` also cuts before `iffy = 1` and `if __name__ == ...`; an indented `    if` never cuts;
 *   5. Python str.strip() of the result.
 * Decision on step 3: the official script cuts at the LAST fence when the count of ``` is odd, and when it is
 * even it keeps the text after the first fence's line — which for 0 fences silently drops the first two
 * characters and the first line of the code (find() returns -1). We cut at the first fence in every case:
 * identical on the normal path (one closing fence; with 3 fences the official `\n```` cut lands on the
 * first one too), and without the official script's 0-fence accident.
 */
import { pyStrip } from './prompt.ts';

export const STOP_STRINGS = ['<|endofblock|>', '<|endofmessage|>'] as const;
export const REMOVED_STRINGS = ['<|text|>', '<|code|>'] as const;
export const CUT_STRINGS = ['\n# Test', '\nif', '\nassert', '\nprint', '\n```'] as const;
const FENCE = '```';

export function postprocessCompletion(raw: string): string {
  let code = raw;
  for (const s of STOP_STRINGS) {
    const i = code.indexOf(s);
    if (i >= 0) code = code.slice(0, i);
  }
  for (const s of REMOVED_STRINGS) code = code.split(s).join('');
  const fence = code.indexOf(FENCE);
  if (fence >= 0) code = code.slice(0, fence);
  for (const s of CUT_STRINGS) {
    const i = code.indexOf(s);
    if (i >= 0) code = code.slice(0, i);
  }
  return pyStrip(code);
}
