/**
 * Two ways to drive the loop: a chat model (OpenAI-compatible endpoint, scripted turns) and the local
 * model trained here, which speaks the record serialisation of docs/METHOD.md §2 (special tokens per block).
 */
import type { ChatMessage, ChatModel, ReflectionContext, ReflectionGenerator, ReflectionStep } from './types.ts';
import { GeneratorError } from '../errors.ts';
import { block, special, text as content, type Prompt, type PromptPart } from '../prompt.ts';
import { fencePython, parseReply, stripFences } from './text.ts';

/** How an execution block is shown to a chat model (it has no notebook of its own). */
export function executionMessage(content: string): string {
  return content.trim()
    ? 'Execution result:\n```\n' + content.replace(/\s+$/, '') + '\n```'
    : 'Execution result: the code ran without errors and printed nothing (all assertions passed).';
}

/** The chat transcript of a reflection sequence: code in fences, each execution as a user message. */
export function chatTranscript(ctx: ReflectionContext): ChatMessage[] {
  const messages: ChatMessage[] = [{ role: 'user', content: ctx.instruction }];
  let assistant: string[] = [];
  for (const b of ctx.blocks) {
    if (b.type === 'execution') {
      messages.push({ role: 'assistant', content: assistant.join('\n\n') });
      messages.push({ role: 'user', content: executionMessage(b.content) });
      assistant = [];
    } else {
      assistant.push(b.type === 'code' ? fencePython(b.content) : b.content);
    }
  }
  if (assistant.length) messages.push({ role: 'assistant', content: assistant.join('\n\n') });
  return messages;
}

export function chatGenerator(model: ChatModel): ReflectionGenerator {
  return {
    name: model.name,
    async step(ctx, phase, signal): Promise<ReflectionStep> {
      const reply = await model.complete(chatTranscript(ctx), { signal });
      if (phase === 'closing') return { text: stripFences(reply) };
      const parsed = parseReply(reply);
      return { text: parsed.text || undefined, code: parsed.code };
    },
    async reanswer(ctx, prompt, signal): Promise<string> {
      return model.complete([...chatTranscript(ctx), { role: 'user', content: prompt }], { signal });
    },
  };
}

/** Text in, text out with the local model's tokenizer (TrainerApi.generate: adds BOS, stops at <|endofblock|> /
 *  <|endofmessage|>; whether the stop token is in the text does not matter, the adapter cuts there). */
export type GenerateText = (
  prompt: Prompt,
  opts: { maxNewTokens: number; temperature?: number; signal?: AbortSignal },
) => Promise<string>;

/**
 * The serialised conversation up to the open assistant message (docs/METHOD.md §2, without BOS: the generator
 * adds it), as prompt parts: the instruction, code and execution output are content, never structure.
 */
export function localPrompt(ctx: ReflectionContext): PromptPart[] {
  return [
    special('<|user|>'),
    ...block('text', ctx.instruction),
    special('<|endofmessage|>'),
    special('<|assistant|>'),
    ...ctx.blocks.flatMap((b) => block(b.type, b.content)),
  ];
}

/**
 * The local model writes one block per call; the loop forces the block type so no special token has to be
 * parsed back: after an execution an analysis (<|text|>) then code (<|code|>); the first step is code;
 * the closing step is text. Stage 2 follows the evaluation prompt (docs/METHOD.md §7): the problem as the
 * re-answer instruction and an opened ```python fence.
 */
export function localGenerator(
  generateText: GenerateText,
  opts: { maxNewTokens?: number; temperature?: number; name?: string } = {},
): ReflectionGenerator {
  const gen = async (prompt: Prompt, signal?: AbortSignal): Promise<string> => {
    const out = await generateText(prompt, {
      maxNewTokens: opts.maxNewTokens ?? 384,
      temperature: opts.temperature,
      signal,
    });
    return out.split('<|endofblock|>')[0].split('<|endofmessage|>')[0];
  };
  return {
    name: opts.name ?? 'local model',
    async step(ctx, phase, signal): Promise<ReflectionStep> {
      const prompt = localPrompt(ctx);
      if (phase === 'closing') return { text: (await gen([...prompt, special('<|text|>')], signal)).trim() };
      const afterRun = ctx.blocks.length > 0;
      let text: string | undefined;
      let withText: Prompt = prompt;
      if (afterRun) {
        text = (await gen([...prompt, special('<|text|>')], signal)).trim();
        withText = [...prompt, ...block('text', text)];
      }
      const code = (await gen([...withText, special('<|code|>')], signal)).replace(/\s+$/, '');
      if (code.includes('<|'))
        throw new GeneratorError(
          `the local model put a special token inside a code block: ${JSON.stringify(code.slice(0, 80))}`,
        );
      return { text, code };
    },
    async reanswer(ctx, _prompt, signal): Promise<string> {
      const prompt: Prompt = [
        ...localPrompt(ctx),
        special('<|endofmessage|>'),
        special('<|user|>'),
        ...block('text', ctx.problem),
        special('<|endofmessage|>'),
        special('<|assistant|>'),
        special('<|text|>'),
        content('```python\n'),
      ];
      const completion = await gen(prompt, signal);
      const body = completion.split('```')[0].replace(/\s+$/, '');
      return fencePython(body);
    },
  };
}
