import { describe, expect, it } from 'vitest';
import { postprocessCompletion } from '../../../src/core/eval/postprocess.ts';

/**
 * Raw completion → what the official pipeline returns (vLLM stop strings, then src/test.py post_process),
 * computed with the official function under Python 3.
 */
const OFFICIAL: [string, string][] = [
  ['def add(a, b):\n    return a + b\n```', 'def add(a, b):\n    return a + b'],
  ['def add(a, b):\n    return a + b', 'return a + b'],
  ['    return a + b\n```\nThis adds.', 'return a + b'],
  ['def add(a, b):\n    return a + b\n```\ntext\n```python\nother()\n```', 'def add(a, b):\n    return a + b'],
  ['```python\ndef add(a, b):\n    return a + b\n```', 'def add(a, b):\n    return a + b'],
  ['def add(a, b):\n    return a + b\n\nif __name__ == "__main__":\n    pass', 'return a + b'],
  ['x', ''],
  ['', ''],
  ['```', ''],
  ['😀a\nb = 1', 'b = 1'],
  ['def add(a, b):\n    return a + b<|endofblock|>\n```', 'return a + b'],
  ['<|code|>def add(a, b):\n    return a + b\n```\n<|text|>ok', 'def add(a, b):\n    return a + b'],
  ['no newline at all ``` here ``` ok', 'here ``` ok'],
  ['def add(a, b):\n    return a + b\n```\nassert add(1,2)==3\n```', 'assert add(1,2)==3'],
];

describe('official post_process (the default)', () => {
  it.each(OFFICIAL.map(([raw, want], i) => [i, raw, want] as const))('case %i: %j', (_i, raw, want) => {
    expect(postprocessCompletion(raw)).toBe(want);
    expect(postprocessCompletion(raw, 'official')).toBe(want);
  });

  it('fence parity: a fence-less completion loses its first line officially, not with `clean`', () => {
    const fn = 'def add(a, b):\n    return a + b';
    expect(postprocessCompletion(fn)).toBe('return a + b');
    expect(postprocessCompletion(fn, 'clean')).toBe(fn);
  });
});

describe('`clean` post-processing (docs/METHOD.md §7)', () => {
  const fn = 'def add(a, b):\n    return a + b';

  it('keeps the code up to the closing fence and strips', () => {
    expect(postprocessCompletion(`${fn}\n\`\`\``, 'clean')).toBe(fn);
    expect(postprocessCompletion(`${fn}\n\`\`\`\nThis adds two numbers.`, 'clean')).toBe(fn);
    expect(postprocessCompletion(`\n\n${fn}\n   \n`, 'clean')).toBe(fn);
  });

  it('stops at <|endofblock|> / <|endofmessage|> and removes <|text|>/<|code|>', () => {
    expect(postprocessCompletion(`${fn}\n\`\`\`<|endofblock|><|text|>more`, 'clean')).toBe(fn);
    expect(postprocessCompletion(`${fn}<|endofmessage|>junk`, 'clean')).toBe(fn);
    expect(postprocessCompletion(`<|code|>${fn}<|text|>`, 'clean')).toBe(fn);
  });

  it('cuts at \\n# Test, \\nif, \\nassert, \\nprint only at column 0 (prefix match)', () => {
    expect(postprocessCompletion(`${fn}\n\n# Test cases\nassert add(1, 2) == 3`, 'clean')).toBe(fn);
    expect(postprocessCompletion(`${fn}\n\nif __name__ == "__main__":\n    print(add(1, 2))`, 'clean')).toBe(fn);
    expect(postprocessCompletion(`${fn}\nassert add(1, 1) == 2`, 'clean')).toBe(fn);
    expect(postprocessCompletion(`${fn}\nprint(add(1, 1))`, 'clean')).toBe(fn);
    // Indented lines never cut.
    const body = 'def sign(x):\n    if x < 0:\n        print("neg")\n        assert True\n    return x';
    expect(postprocessCompletion(body, 'clean')).toBe(body);
    // A prefix, not a word: `\nif` also cuts before an identifier starting with "if" (as the official script).
    expect(postprocessCompletion(`${fn}\niffy = 1`, 'clean')).toBe(fn);
    // `# Test` is case-sensitive and must follow a newline directly.
    expect(postprocessCompletion(`${fn}\n# test\nx = 1`, 'clean')).toBe(`${fn}\n# test\nx = 1`);
    expect(postprocessCompletion(`${fn}  # Test it`, 'clean')).toBe(`${fn}  # Test it`);
  });

  it('cuts at the first fence whatever the fence count (the official 0-fence branch drops a line; we do not)', () => {
    expect(postprocessCompletion(fn, 'clean')).toBe(fn);
    expect(postprocessCompletion(`${fn}\n\`\`\`\ntext\n\`\`\`python\nother()\n\`\`\``, 'clean')).toBe(fn);
    expect(postprocessCompletion(`${fn}\`\`\``, 'clean')).toBe(fn);
  });

  it('strips like Python str.strip() (U+001C..U+001F, U+0085 yes; U+FEFF no)', () => {
    expect(postprocessCompletion(`\x1c\x85${fn}\u3000`, 'clean')).toBe(fn);
    expect(postprocessCompletion(`\uFEFF${fn}`, 'clean')).toBe(`\uFEFF${fn}`);
  });

  it('gives an empty completion for empty output', () => {
    expect(postprocessCompletion('', 'clean')).toBe('');
    expect(postprocessCompletion('```', 'clean')).toBe('');
  });
});
