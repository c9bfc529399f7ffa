import { describe, expect, it } from 'vitest';
import { postprocessCompletion } from '../../../src/core/eval/postprocess.ts';

describe('completion post-processing (METHOD §7, official post_process)', () => {
  const fn = 'def add(a, b):\n    return a + b';

  it('keeps the code up to the closing fence and strips', () => {
    expect(postprocessCompletion(`${fn}\n\`\`\``)).toBe(fn);
    expect(postprocessCompletion(`${fn}\n\`\`\`\nThis adds two numbers.`)).toBe(fn);
    expect(postprocessCompletion(`\n\n${fn}\n   \n`)).toBe(fn);
  });

  it('stops at <|endofblock|> / <|endofmessage|> and removes <|text|>/<|code|>', () => {
    expect(postprocessCompletion(`${fn}\n\`\`\`<|endofblock|><|text|>more`)).toBe(fn);
    expect(postprocessCompletion(`${fn}<|endofmessage|>junk`)).toBe(fn);
    expect(postprocessCompletion(`<|code|>${fn}<|text|>`)).toBe(fn);
  });

  it('cuts at \\n# Test, \\nif, \\nassert, \\nprint only at column 0 (prefix match)', () => {
    expect(postprocessCompletion(`${fn}\n\n# Test cases\nassert add(1, 2) == 3`)).toBe(fn);
    expect(postprocessCompletion(`${fn}\n\nif __name__ == "__main__":\n    print(add(1, 2))`)).toBe(fn);
    expect(postprocessCompletion(`${fn}\nassert add(1, 1) == 2`)).toBe(fn);
    expect(postprocessCompletion(`${fn}\nprint(add(1, 1))`)).toBe(fn);
    // Indented lines never cut.
    const body = 'def sign(x):\n    if x < 0:\n        print("neg")\n        assert True\n    return x';
    expect(postprocessCompletion(body)).toBe(body);
    // A prefix, not a word: `\nif` also cuts before an identifier starting with "if" (as the official script).
    expect(postprocessCompletion(`${fn}\niffy = 1`)).toBe(fn);
    // `# Test` is case-sensitive and must follow a newline directly.
    expect(postprocessCompletion(`${fn}\n# test\nx = 1`)).toBe(`${fn}\n# test\nx = 1`);
    expect(postprocessCompletion(`${fn}  # Test it`)).toBe(`${fn}  # Test it`);
  });

  it('cuts at the first fence whatever the fence count (the official 0-fence branch drops a line; we do not)', () => {
    expect(postprocessCompletion(fn)).toBe(fn);
    expect(postprocessCompletion(`${fn}\n\`\`\`\ntext\n\`\`\`python\nother()\n\`\`\``)).toBe(fn);
    expect(postprocessCompletion(`${fn}\`\`\``)).toBe(fn);
  });

  it('strips like Python str.strip() (U+001C..U+001F, U+0085 yes; U+FEFF no)', () => {
    expect(postprocessCompletion(`\x1c\x85${fn}\u3000`)).toBe(fn);
    expect(postprocessCompletion(`\uFEFF${fn}`)).toBe(`\uFEFF${fn}`);
  });

  it('gives an empty completion for empty output', () => {
    expect(postprocessCompletion('')).toBe('');
    expect(postprocessCompletion('```')).toBe('');
  });
});
