/**
 * `evaluate --model <Hugging Face folder>`: tiny-qwen2 with a small tokenizer (no chat template → plain
 * completion) answers two short problems in HumanEval's format, checked in the Pyodide sandbox; the summary names the
 * folder and its prompt style. A chat template switches the style (checked in-process).
 */
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadHFEvalModel } from '../../src/cli/hf-eval-model.ts';
import { selectNodeBackend } from '../../src/platform/node/backend.ts';
import { tinyQwenFolder } from '../services/trainer/tiny-qwen-folder.ts';
import { cli, jsonLines } from './run-cli.ts';

const PROBLEMS = [
  { task_id: 'Short/0', prompt: 'def one():\n    """1"""\n', canonical_solution: '    return 1\n', entry_point: 'one' },
  { task_id: 'Short/1', prompt: 'def two():\n    """2"""\n', canonical_solution: '    return 2\n', entry_point: 'two' },
].map((p, i) => ({ ...p, test: `def check(f):\n    assert f() == ${i + 1}\n` }));

let dir = '';
beforeAll(() => {
  dir = tinyQwenFolder();
  writeFileSync(path.join(dir, 'problems.jsonl'), PROBLEMS.map((p) => JSON.stringify(p)).join('\n') + '\n');
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('cli evaluate with a Hugging Face folder', () => {
  it('plain completion: the body after the stub is checked; the summary names the folder and its style', async () => {
    const r = await cli([
      'evaluate',
      '--problems',
      path.join(dir, 'problems.jsonl'),
      '--model',
      dir,
      '--max-new-tokens',
      '8',
      '--backend',
      'cpu',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const lines = jsonLines(r.stdout);
    expect(lines.slice(0, 2).map((l) => l.task_id)).toEqual(['Short/0', 'Short/1']);
    for (const [i, l] of lines.slice(0, 2).entries()) {
      expect(l.result).toMatch(/^(passed|timed out|failed: .*)$/s);
      expect(l.raw.startsWith('```python\n' + PROBLEMS[i].prompt)).toBe(true);
      expect(l.completion.startsWith(PROBLEMS[i].prompt)).toBe(true);
    }
    expect(lines[2]).toMatchObject({ summary: true, mode: 'model', problems: 2, total: 2 });
    expect(lines[2].model).toBe(`Hugging Face folder ${dir} (plain completion)`);
  }, 120_000);

  it('a chat template makes it a chat model; no tokenizer.json is refused by name', async () => {
    await selectNodeBackend('cpu');
    writeFileSync(
      path.join(dir, 'tokenizer_config.json'),
      JSON.stringify({
        eos_token: '<|endoftext|>',
        chat_template: '{% for m in messages %}{{ m.content }}{% endfor %}',
      }),
    );
    const m = await loadHFEvalModel(dir);
    m.dispose();
    expect(m.source).toMatch(/\(chat template\)$/);
    rmSync(path.join(dir, 'tokenizer.json'));
    await expect(loadHFEvalModel(dir)).rejects.toThrow(
      /has no tokenizer\.json; HumanEval needs the model's own tokenizer/,
    );
  });
});
