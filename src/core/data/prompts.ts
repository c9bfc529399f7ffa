/**
 * Prompt wording for building reflection data (paper §3.1 / docs/METHOD.md §6) and a formatter for the
 * Jupyter-style tracebacks an execution block holds (IPython 8: a 75-dash rule, the exception name
 * padded to 42 columns before "Traceback (most recent call last)", one "Cell In[1], line k" frame
 * per level with two non-blank lines of context on each side, limited to the frame's own function,
 * and the arrow on line k — the rules the Python service's runner follows too).
 */

/** Stage 1: the reflection instruction (paper §3.1, "Prompt for constructing reflection sequences"). */
export function reflectionInstruction(problem: string): string {
  return (
    'Here is a programming problem for you to tackle:\n\n' +
    '(1) Write a Python function that solves the specified problem with craft test cases using assert statements and execute it. ' +
    "Pay special attention to edge cases to thoroughly validate your solution's correctness.\n\n" +
    '(2) If your code fails any of the tests, carefully examine the root cause of the failure. ' +
    'Make the necessary corrections to your code and then retest to confirm the fixes.\n\n' +
    "Note: At this phase, your primary goal is to ensure the reliability of your code. There's no need to delve into in-depth " +
    'problem analysis or strive for code optimization.\n\n' +
    `# Programming Problem\n\n${problem}`
  );
}

/** Stage 2: asks for the final, standalone answer (paper §3.1, "Prompt for generating final code").
 *  Used when building data with a model; in a training record the re-answer instruction is the
 *  plain problem (docs/METHOD.md §3), so the second round is exactly a one-off generation. */
export const REANSWER_PROMPT =
  'Then, your task is to create a precise solution for the given programming problem.\n\n' +
  'Your answer should be complete and standalone, avoiding references to external resources or past exercises, ' +
  'and omit phrases such as "correct version".\n\n' +
  'There is no requirement to execute the code or provide any test/usage example.\n' +
  'Just present the code for the given problem between "```python" and "```".';

/** One traceback level: the 1-based line in the cell and, below the top level, the function shown. */
export interface TracebackFrame {
  line: number;
  /** e.g. "mean(xs)"; omitted for the top level of the cell. */
  fn?: string;
}

const RULE = '-'.repeat(75);
const HEADER = 'Traceback (most recent call last)';

/** Lines [first, last] of the frame's own code: the function `fn` (its def line through the last
 *  line of its indented body), or the whole cell for the top level — stack_data's frame scope. */
function frameScope(lines: string[], fn: string | undefined): [number, number] {
  if (!fn) return [1, lines.length];
  const name = fn.split('(')[0]!;
  const start = lines.findIndex((l) => new RegExp(`^\\s*def ${name}\\(`).test(l));
  if (start < 0) throw new RangeError(`function ${name} not found in the cell`);
  const indent = /^\s*/.exec(lines[start]!)![0].length;
  let last = start;
  for (let i = start + 1; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.trim() === '') continue;
    if (/^\s*/.exec(l)![0].length <= indent) break;
    last = i;
  }
  return [start + 1, last + 1];
}

/** IPython 8 context: two non-blank lines either side of the failing line, inside the frame's scope. */
function contextLines(lines: string[], line: number, fn: string | undefined): string {
  const [first, last] = frameScope(lines, fn);
  if (line < first || line > last)
    throw new RangeError(`traceback line ${line} is outside ${fn ?? 'the cell'} (lines ${first}..${last})`);
  const shown: number[] = [];
  for (let k = first; k <= last; k++) if (k === line || lines[k - 1]!.trim() !== '') shown.push(k);
  const at = shown.indexOf(line);
  const window = shown.slice(Math.max(0, at - 2), at + 3);
  // IPython (stack_data) strips the indentation that the shown non-blank lines have in common.
  const indents = window
    .map((k) => lines[k - 1]!)
    .filter((t) => t.trim() !== '')
    .map((t) => t.length - t.trimStart().length);
  const indent = indents.length ? Math.min(...indents) : 0;
  return window
    .map((k) => {
      const num = String(k);
      const gutter = k === line ? `${'-'.repeat(Math.max(1, 7 - num.length - 2))}> ${num}` : num.padStart(7);
      return `${gutter} ${lines[k - 1]!.slice(indent).trimEnd()}`;
    })
    .join('\n');
}

/** Formats the traceback of `code` run as cell 1 raising `error: message` through `frames` (outermost first). */
export function jupyterTraceback(code: string, frames: TracebackFrame[], error: string, message: string): string {
  const lines = code.split('\n');
  const parts = frames.map((f) => {
    if (!Number.isInteger(f.line) || f.line < 1 || f.line > lines.length)
      throw new RangeError(`traceback line ${f.line} outside the cell (1..${lines.length})`);
    const where = f.fn ? `Cell In[1], line ${f.line}, in ${f.fn}` : `Cell In[1], line ${f.line}`;
    return `${where}\n${contextLines(lines, f.line, f.fn)}`;
  });
  return `${RULE}\n${error.padEnd(42 - 1)} ${HEADER}\n${parts.join('\n\n')}\n\n${error}: ${message}`;
}

/** 1-based number of the first line of `code` whose text (trimmed) equals `text` (trimmed). */
export function lineOf(code: string, text: string): number {
  const i = code.split('\n').findIndex((l) => l.trim() === text.trim());
  if (i < 0) throw new RangeError(`line ${JSON.stringify(text)} not found in the code`);
  return i + 1;
}
