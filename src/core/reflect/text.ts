/**
 * Text helpers of the reflection loop: pulling code out of a model reply, the execution block of a run,
 * and the I/O filter of paper App. A.
 */
import type { RunResult } from '../python.ts';

const FENCE = /```[ \t]*([A-Za-z0-9_+-]*)[^\n]*\n([\s\S]*?)```/g;

export interface ParsedReply {
  /** Text before the first code fence (the analysis), trimmed. */
  text: string;
  /** The first python (or untagged) fenced block, or undefined. */
  code?: string;
}

/** Splits a chat reply into its leading analysis and its first Python code block. */
export function parseReply(reply: string): ParsedReply {
  FENCE.lastIndex = 0;
  for (let m = FENCE.exec(reply); m; m = FENCE.exec(reply)) {
    const lang = m[1].toLowerCase();
    if (lang === '' || lang === 'python' || lang === 'py' || lang === 'python3') {
      return { text: reply.slice(0, m.index).trim(), code: m[2].replace(/\s+$/, '') };
    }
  }
  return { text: reply.trim() };
}

/** The reply without any fenced block (a closing analysis should not carry code). */
export function stripFences(reply: string): string {
  return reply
    .replace(/```[\s\S]*?(```|$)/g, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export function fencePython(code: string): string {
  return '```python\n' + code + '\n```';
}

/** What a notebook shows under the cell: output, then the traceback on failure ('' for a silent pass). */
export function executionText(r: RunResult): string {
  let out = r.stdout + r.stderr;
  if (r.status === 'ok') return out;
  const tail = r.traceback || (r.error ? `${r.error.type}: ${r.error.message}` : 'the run failed');
  if (out && !out.endsWith('\n')) out += '\n';
  return out + tail;
}

/**
 * Keywords of code doing I/O (paper App. A filters "code with I/O, e.g. open, dump, pip"). Matched as whole
 * words outside comments and strings would be stricter; the paper's filter is a keyword match, so this is too,
 * on the code with comments removed.
 */
export const IO_KEYWORDS = [
  'open',
  'dump',
  'dumps',
  'pip',
  'input',
  'requests',
  'urllib',
  'socket',
  'subprocess',
  'shutil',
] as const;

/** The first I/O keyword found in `code` (comments ignored), or null. */
export function findIoKeyword(code: string): string | null {
  const noComments = code
    .split('\n')
    .map((l) => l.replace(/(^|\s)#.*$/, ''))
    .join('\n');
  for (const k of IO_KEYWORDS) {
    if (new RegExp(`(?<![\\w.])${k}\\b|\\.${k}\\s*\\(`).test(noComments)) return k;
  }
  return null;
}
