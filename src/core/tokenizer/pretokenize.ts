/**
 * Pre-tokenisation: text is first split at special-token strings (which stay atomic), then into
 * GPT-2-style pieces — letter runs, digit runs, punctuation runs (each with an optional leading
 * space) and whitespace runs — so BPE merges never cross a word boundary. The pieces concatenate
 * back to the input exactly.
 */

/** GPT-2's pattern, with `\s+(?!\S)` so a whitespace run leaves its last space to the next word. */
export const GPT2_PATTERN = /'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

export function splitWords(text: string): string[] {
  return text.match(new RegExp(GPT2_PATTERN.source, 'gu')) ?? [];
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Splits text into ordinary chunks and special-token strings (longest match first). */
export function makeSpecialSplitter(
  specials: readonly string[],
): (text: string) => { text: string; special: boolean }[] {
  const sorted = [...specials].sort((a, b) => b.length - a.length);
  const re = new RegExp(`(${sorted.map(escapeRegExp).join('|')})`, 'g');
  const set = new Set(specials);
  return (text) => {
    const out: { text: string; special: boolean }[] = [];
    for (const part of text.split(re)) {
      if (part === '') continue;
      out.push({ text: part, special: set.has(part) });
    }
    return out;
  };
}
