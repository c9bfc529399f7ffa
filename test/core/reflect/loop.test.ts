import { promptToText } from '../../../src/core/prompt.ts';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReflectEvent } from '../../../src/api/reflect.ts';
import { demoRecords } from '../../../src/core/data/demo-records.ts';
import { reflectionInstruction } from '../../../src/core/data/prompts.ts';
import { chatGenerator, chatTranscript, localGenerator, localPrompt } from '../../../src/core/reflect/generators.ts';
import { runReflection } from '../../../src/core/reflect/loop.ts';
import { findIoKeyword, parseReply } from '../../../src/core/reflect/text.ts';
import type { ReflectionRecord } from '../../../src/core/records/schema.ts';
import { createNodePython } from '../../../src/cli/python-node.ts';
import { ScriptedChatModel, turnsFromBlocks } from '../../../src/services/reflect/scripted.ts';
import type { PythonSupervisor } from '../../../src/services/python/supervisor.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const fixture = JSON.parse(
  readFileSync(path.join(repoRoot, 'test/fixtures/reflection-records-example.jsonl'), 'utf8').split('\n')[0],
) as ReflectionRecord;

let py: PythonSupervisor;
beforeAll(async () => {
  py = createNodePython();
  await py.start();
});
afterAll(() => py?.dispose());

const fence = (code: string): string => '```python\n' + code + '\n```';

describe('reflection loop (paper §3.1, App. A)', () => {
  it('rebuilds the paper example from its turns: same blocks, execution blocks produced by running the code', async () => {
    const seq = fixture.messages[1].content;
    const problem = fixture.messages[2].content[0].content;
    const final = fixture.messages[3].content[0].content;
    // Only the model's turns are played back (execution blocks only split turns); executions come from Pyodide.
    const model = new ScriptedChatModel(turnsFromBlocks(seq, final));
    const events: ReflectEvent[] = [];
    const out = await runReflection(problem, chatGenerator(model), py, { onEvent: (e) => events.push(e) });
    expect(out.rejection).toBeUndefined();
    expect(out.rounds).toBe(2);
    expect(out.record?.messages[1].content).toEqual(seq);
    expect(out.record?.messages[0].content[0].content).toBe(reflectionInstruction(problem));
    expect(out.record?.messages[2].content[0].content).toBe(problem);
    expect(out.record?.messages[3].content[0].content).toBe(final);
    expect(out.record?.type).toBe('reflection');
    expect(events.filter((e) => e.type === 'block').map((e) => (e.type === 'block' ? e.block.type : ''))).toEqual(
      seq.map((b) => b.type),
    );
    expect(model.remaining).toBe(0);
    // The chat model saw each execution block as a user message before its analysis.
    expect(model.calls[1].map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(model.calls[1][2].content).toContain('Cell In[1], line 15');
    expect(model.calls[3][model.calls[3].length - 1].content).toContain('```python');
  });

  it('reproduces the execution blocks of every built-in demo record', async () => {
    for (const rec of demoRecords().filter((r) => r.type === 'reflection')) {
      const seq = rec.messages[1].content;
      const model = new ScriptedChatModel(turnsFromBlocks(seq, rec.messages[3].content[0].content));
      const out = await runReflection(rec.messages[2].content[0].content, chatGenerator(model), py);
      expect(out.rejection).toBeUndefined();
      // TRAIN-CORE's demo tracebacks follow IPython 8; the runner must reproduce them byte for byte.
      expect(out.blocks).toEqual(seq);
    }
  });

  it('rejects a first attempt that already passes', async () => {
    const model = new ScriptedChatModel([fence('def inc(x):\n    return x + 1\n\nassert inc(1) == 2')]);
    const out = await runReflection('Write inc(x).', chatGenerator(model), py);
    expect(out.rejection?.reason).toBe('first-attempt-passed');
    expect(out.record).toBeUndefined();
    expect(out.blocks.map((b) => b.type)).toEqual(['code', 'execution']);
  });

  it('rejects a sequence still failing after the round limit', async () => {
    const bad = fence('def inc(x):\n    return x\n\nassert inc(1) == 2');
    const model = new ScriptedChatModel([bad, 'Still wrong.\n\n' + bad, 'Again.\n\n' + bad]);
    const out = await runReflection('Write inc(x).', chatGenerator(model), py, { maxRounds: 3 });
    expect(out.rejection?.reason).toBe('unresolved');
    expect(out.rounds).toBe(3);
    expect(out.blocks.map((b) => b.type).join('')).toBe(
      ['code', 'execution', 'text', 'code', 'execution', 'text', 'code', 'execution'].join(''),
    );
  });

  it('rejects code doing I/O without running it, and replies without code', async () => {
    const io = await runReflection(
      'Read a file.',
      chatGenerator(new ScriptedChatModel([fence('data = open("x.txt").read()\nassert data')])),
      py,
    );
    expect(io.rejection).toEqual({ reason: 'io-keyword', detail: "round 1: the code uses 'open'" });
    expect(io.rounds).toBe(0);
    const none = await runReflection(
      'Anything.',
      chatGenerator(new ScriptedChatModel(['I cannot help with that.'])),
      py,
    );
    expect(none.rejection?.reason).toBe('no-code');
    expect(none.blocks).toEqual([{ type: 'text', content: 'I cannot help with that.' }]);
  });

  it('I/O keyword filter and reply parsing', () => {
    expect(findIoKeyword('import json\njson.dump(x, f)')).toBe('dump');
    expect(findIoKeyword('x = input()')).toBe('input');
    expect(findIoKeyword('# we do not open files here\nassert 1')).toBeNull();
    expect(findIoKeyword('input_list = [1]\nreopen = 2')).toBeNull();
    expect(parseReply('Analysis first.\n\n```python\nx = 1\n```\nafter')).toEqual({
      text: 'Analysis first.',
      code: 'x = 1',
    });
    expect(parseReply('```js\nlet a\n```\n```\ny = 2\n```')).toEqual({ text: '```js\nlet a\n```', code: 'y = 2' });
    expect(parseReply('no code')).toEqual({ text: 'no code' });
  });

  it('drives the local model block by block with forced block types (docs/METHOD.md §2 serialisation)', async () => {
    const prompts: string[] = [];
    const answers = [
      'def inc(x):\n    return x\n\nassert inc(1) == 2', // <|code|> (round 1)
      'inc returns x unchanged; it must add one.', // <|text|> analysis
      'def inc(x):\n    return x + 1\n\nassert inc(1) == 2', // <|code|> (round 2)
      'The test passes now.<|endofblock|>', // closing <|text|> (a stop token left in the text is cut)
      'def inc(x):\n    return x + 1\n```', // final code after the opened fence
    ];
    const gen = localGenerator(async (prompt) => {
      prompts.push(promptToText(prompt));
      return answers[prompts.length - 1];
    });
    const out = await runReflection('Write inc(x).', gen, py);
    expect(out.rejection).toBeUndefined();
    expect(out.finalCode).toBe('def inc(x):\n    return x + 1');
    const instr = reflectionInstruction('Write inc(x).');
    expect(prompts[0]).toBe(`<|user|><|text|>${instr}<|endofblock|><|endofmessage|><|assistant|><|code|>`);
    expect(prompts[1].endsWith('<|execution|>' + out.blocks[1].content + '<|endofblock|><|text|>')).toBe(true);
    expect(prompts[2].endsWith('<|text|>inc returns x unchanged; it must add one.<|endofblock|><|code|>')).toBe(true);
    expect(
      prompts[4].endsWith(
        '<|endofmessage|><|user|><|text|>Write inc(x).<|endofblock|><|endofmessage|><|assistant|><|text|>```python\n',
      ),
    ).toBe(true);
    expect(promptToText(localPrompt({ problem: 'p', instruction: 'i', blocks: [] }))).toBe(
      '<|user|><|text|>i<|endofblock|><|endofmessage|><|assistant|>',
    );
  });

  it('chat transcript shows a silent pass explicitly', () => {
    const t = chatTranscript({
      problem: 'p',
      instruction: 'i',
      blocks: [
        { type: 'code', content: 'x=1' },
        { type: 'execution', content: '' },
      ],
    });
    expect(t.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(t[2].content).toMatch(/ran without errors/);
  });
});
