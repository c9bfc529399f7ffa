/**
 * Error text for a person: what happened and what to do, never a class name. Errors that cross comlink keep
 * only name and message; their messages are already written for people (src/core/errors.ts), so this drops
 * the "UsageError: " style prefixes (also nested ones, "Error: ConfigError: …") and explains the few
 * browser errors whose own message says little.
 */
const PREFIX = /^\s*(?:[A-Z][A-Za-z]*(?:Error|Exception)|Error|Uncaught)\s*:\s*/;

const BROWSER: Record<string, string> = {
  QuotaExceededError: "The browser's storage is full: delete old checkpoints, datasets or saved runs, then try again.",
  AbortError: 'Stopped.',
  NotAllowedError: 'The browser refused this (permission denied). Check the site permissions, then try again.',
  NotReadableError: 'The file could not be read. Pick it again (it may have changed or moved).',
};

/** Drops leading class-name prefixes and capitalises a leading plain word (not a key like `train.lr`). */
export function stripErrorPrefix(text: string): string {
  let t = text;
  while (PREFIX.test(t)) t = t.replace(PREFIX, '');
  t = t.trim();
  return /^[a-z]{3,}(?=[\s,:;]|$)/.test(t) ? t[0].toUpperCase() + t.slice(1) : t;
}

export function humanMessage(e: unknown): string {
  if (typeof e === 'string') return stripErrorPrefix(e) || 'Something went wrong.';
  const err = e as { name?: string; message?: string } | null;
  const name = err?.name ?? '';
  const message = stripErrorPrefix(String(err?.message ?? e ?? ''));
  if (BROWSER[name] && (!message || name === 'QuotaExceededError')) return BROWSER[name];
  if (!message)
    return BROWSER[name] ?? 'Something went wrong, without a description. Try again; if it repeats, reload the page.';
  return message;
}
