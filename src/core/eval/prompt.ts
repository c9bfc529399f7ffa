/**
 * The HumanEval prompt (docs/METHOD.md §7, paper App. D):
 *   <|user|><|text|>Write a complete Python function for the problem.\n\n{prompt}<|endofblock|><|endofmessage|><|assistant|><|text|>```python\n
 * Decision: `{prompt}` is the problem's prompt with Python's str.strip() applied, as the official
 * ReflectionCoder evaluation script does (src/test.py: `sample['prompt'].strip()`); docs/METHOD.md §7 takes
 * its template from that script. The ids are BOS + the message tokens: every training sample starts with
 * BOS (docs/METHOD.md §2), and the trainer's generate() prepends it too. Special tokens are single ids; the
 * problem text and the instruction are encoded as ordinary text, so a special-token string inside a
 * problem can never inject structure.
 */
import { ALL_SPECIALS } from '../tokenizer/bpe.ts';
import { encodePrompt, special, text, type Prompt, type PromptTokenizer } from '../prompt.ts';

export const HUMANEVAL_INSTRUCTION = 'Write a complete Python function for the problem.';
/** What the assistant's text block starts with: the opening fence of a Python code block. */
export const ANSWER_PREFIX = '```python\n';

/** Python's str.isspace() characters (CPython 3.12 `str.strip()` with no argument strips exactly these). */
const PY_SPACE =
  '\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000';

/** Python's `s.strip()`: JS trim() differs (it strips U+FEFF and keeps \x1c–\x1f and U+0085). */
export function pyStrip(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && PY_SPACE.includes(s[a])) a++;
  while (b > a && PY_SPACE.includes(s[b - 1])) b--;
  return s.slice(a, b);
}

/** The prompt as text, with special tokens written as their strings (what TrainerApi.generate takes). */
export function humanEvalPromptText(problemPrompt: string): string {
  return `<|user|><|text|>${HUMANEVAL_INSTRUCTION}\n\n${pyStrip(problemPrompt)}<|endofblock|><|endofmessage|><|assistant|><|text|>${ANSWER_PREFIX}`;
}

export type { PromptTokenizer };

/** The §7 prompt as parts (src/core/prompt.ts): the problem is content, never structure. */
export function humanEvalPrompt(problemPrompt: string): Prompt {
  return [
    special('<|user|>'),
    special('<|text|>'),
    text(`${HUMANEVAL_INSTRUCTION}\n\n${pyStrip(problemPrompt)}`),
    special('<|endofblock|>'),
    special('<|endofmessage|>'),
    special('<|assistant|>'),
    special('<|text|>'),
    text(ANSWER_PREFIX),
  ];
}

/** BOS + the §7 prompt as ids: specials atomic, text ordinary (encodePrompt). */
export function humanEvalPromptIds(problemPrompt: string, tok: PromptTokenizer): number[] {
  return encodePrompt(tok, humanEvalPrompt(problemPrompt));
}

const SPECIAL_STRINGS = ALL_SPECIALS;

/**
 * Special-token strings inside a problem prompt. When there are none, the text prompt encoded with specials
 * atomic (TrainerApi.generate) gives exactly humanEvalPromptIds; when there are some, it would not.
 */
export function specialStringsIn(problemPrompt: string): string[] {
  return SPECIAL_STRINGS.filter((s) => problemPrompt.includes(s));
}

/**
 * The MBPP(+) prompt of the official evaluation script (ReflectionCoder src/test.py, class MBPP): the problem's
 * prompt without `"""`, stripped and split into lines; line 0 is the task, line 1 its first assertion:
 *   <|user|><|text|>{line 0}\nYour code should satisfy the following assertion:\n```python\n{line 1}\n```<|endofblock|><|endofmessage|><|assistant|><|text|>```python\n
 * (generation as for HumanEval; the script decodes greedily with max_tokens 1024). A prompt with fewer than two
 * lines has no assertion to show (the script would fail with IndexError): null.
 */
export function mbppPromptText(problemPrompt: string): string | null {
  const lines = pyStrip(problemPrompt.split('"""').join('')).split('\n');
  if (lines.length < 2) return null;
  const user = `${lines[0]}\nYour code should satisfy the following assertion:\n\`\`\`python\n${lines[1]}\n\`\`\``;
  return `<|user|><|text|>${user}<|endofblock|><|endofmessage|><|assistant|><|text|>${ANSWER_PREFIX}`;
}
