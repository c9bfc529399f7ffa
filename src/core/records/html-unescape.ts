/**
 * Python's html.unescape (Lib/html/__init__.py), the function the official src/data/download.py applies
 * to CodeFeedback text: every `&…` reference the HTML5 rules know becomes its character.
 *  - numeric `&#123;` / `&#x7b;` (the `;` optional): HTML5's remapped numbers first (0x80–0x9F as
 *    Windows-1252, 0 → U+FFFD, 0x0D → CR), then surrogates and numbers above U+10FFFF → U+FFFD, then
 *    the non-characters and control codes HTML5 forbids are dropped;
 *  - named `&amp;`: the exact name, else the longest known prefix of at least two characters (HTML5's
 *    legacy names without `;`, e.g. `&ampfoo` → `&foo`), else left as written.
 */
import { HTML5_ENTITIES, INVALID_CHARREFS, INVALID_CODEPOINT_RANGES } from './html-entities.ts';

// Python: r'&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)'
const CHARREF = /&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)/gu;

function numeric(ref: string): string {
  const hex = ref[1] === 'x' || ref[1] === 'X';
  const digits = ref.slice(hex ? 2 : 1).replace(/;$/, '');
  // Arbitrarily long digit strings are legal; anything past U+10FFFF is U+FFFD, so cap the parse.
  const trimmed = digits.replace(/^0+/, '') || '0';
  const num = trimmed.length > 8 ? Number.MAX_SAFE_INTEGER : parseInt(trimmed, hex ? 16 : 10);
  const remapped = INVALID_CHARREFS[num];
  if (remapped !== undefined) return remapped;
  if ((num >= 0xd800 && num <= 0xdfff) || num > 0x10ffff) return '\uFFFD';
  if (INVALID_CODEPOINT_RANGES.some(([a, b]) => num >= a && num <= b)) return '';
  return String.fromCodePoint(num);
}

function named(ref: string): string {
  const exact = HTML5_ENTITIES[ref];
  if (exact !== undefined) return exact;
  const cps = Array.from(ref); // Python slices code points
  for (let x = cps.length - 1; x > 1; x--) {
    const head = cps.slice(0, x).join('');
    const hit = HTML5_ENTITIES[head];
    if (hit !== undefined) return hit + cps.slice(x).join('');
  }
  return '&' + ref;
}

export function htmlUnescape(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(CHARREF, (_m, ref: string) => (ref[0] === '#' ? numeric(ref) : named(ref)));
}
