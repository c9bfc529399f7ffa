/**
 * Prompt wording for building reflection data (paper §3.1 / METHOD.md §6) and a formatter for the
 * Jupyter-style tracebacks an execution block holds (IPython 8: a 75-dash rule, the exception name
 * padded to 42 columns before "Traceback (most recent call last)", one "Cell In[1], line k" frame
 * per level with two lines of context on each side — blank lines omitted — and the arrow on line k).
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
 *  plain problem (METHOD.md §3), so the second round is exactly a one-off generation. */
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

function contextLines(lines: string[], line: number): string {
  const out: string[] = [];
  for (let k = Math.max(1, line - 2); k <= Math.min(lines.length, line + 2); k++) {
    const src = lines[k - 1]!;
    if (k !== line && src.trim() === '') continue;
    const num = String(k);
    const gutter = k === line ? `${'-'.repeat(Math.max(1, 7 - num.length - 2))}> ${num}` : num.padStart(7);
    out.push(`${gutter} ${src}`);
  }
  return out.join('\n');
}

/** Formats the traceback of `code` run as cell 1 raising `error: message` through `frames` (outermost first). */
export function jupyterTraceback(code: string, frames: TracebackFrame[], error: string, message: string): string {
  const lines = code.split('\n');
  const parts = frames.map((f) => {
    if (!Number.isInteger(f.line) || f.line < 1 || f.line > lines.length) throw new RangeError(`traceback line ${f.line} outside the cell (1..${lines.length})`);
    const where = f.fn ? `Cell In[1], line ${f.line}, in ${f.fn}` : `Cell In[1], line ${f.line}`;
    return `${where}\n${contextLines(lines, f.line)}`;
  });
  return `${RULE}\n${error.padEnd(42 - 1)} ${HEADER}\n${parts.join('\n\n')}\n\n${error}: ${message}`;
}

/** 1-based number of the first line of `code` whose text (trimmed) equals `text` (trimmed). */
export function lineOf(code: string, text: string): number {
  const i = code.split('\n').findIndex((l) => l.trim() === text.trim());
  if (i < 0) throw new RangeError(`line ${JSON.stringify(text)} not found in the code`);
  return i + 1;
}
