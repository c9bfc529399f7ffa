import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HFTokenizer } from '../../../src/core/tokenizer/hf.ts';
import { humanEvalPromptIds, promptStyle, stopIds } from '../../../src/services/trainer/hf-generation.ts';
import { sharedDir } from '../../core/model/fixture.ts';
import { charTokenizerJson } from './tiny-qwen-folder.ts';

const dir = path.join(sharedDir, 'models', 'qwen3-tokenizer');
const have = existsSync(path.join(dir, 'tokenizer.json'));

describe('HumanEval prompts for Hugging Face models', () => {
  const problem = 'def add(a, b):\n    """Return a + b."""\n';

  it('a base model (no chat template) gets plain completion of the prompt', () => {
    const tok = new HFTokenizer(charTokenizerJson(), { eos_token: '<|endoftext|>' });
    expect(promptStyle(tok)).toBe('completion');
    expect(tok.decode(humanEvalPromptIds(tok, problem))).toBe(problem);
    expect(stopIds(tok, { eos_token_id: [1, 7] })).toEqual([1, 7]);
  });

  it.skipIf(!have)('a chat model is asked through its chat template', () => {
    const tok = new HFTokenizer(
      JSON.parse(readFileSync(path.join(dir, 'tokenizer.json'), 'utf8')),
      JSON.parse(readFileSync(path.join(dir, 'tokenizer_config.json'), 'utf8')),
    );
    expect(promptStyle(tok)).toBe('chat');
    const text = tok.decode(humanEvalPromptIds(tok, problem));
    expect(text.startsWith('<|im_start|>user\nComplete the following Python function.')).toBe(true);
    expect(text).toContain(problem);
    expect(text.endsWith('<|im_start|>assistant\n')).toBe(true);
  });
});
