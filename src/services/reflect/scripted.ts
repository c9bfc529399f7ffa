/**
 * A chat model that plays back a fixed list of replies, in order: for tests, demos, and replaying a
 * conversation recorded elsewhere. It records what it was asked, so a test can check the transcript.
 */
import type { ChatMessage, ChatModel } from '../../api/reflect.ts';
import { GeneratorError } from '../../core/errors.ts';

export class ScriptedChatModel implements ChatModel {
  readonly name: string;
  readonly calls: ChatMessage[][] = [];
  private next = 0;

  constructor(
    private readonly turns: string[],
    name = 'scripted',
  ) {
    this.name = name;
  }

  get remaining(): number {
    return this.turns.length - this.next;
  }

  async complete(messages: ChatMessage[]): Promise<string> {
    this.calls.push(messages.map((m) => ({ ...m })));
    if (this.next >= this.turns.length) {
      throw new GeneratorError(
        `scripted generator: asked for turn ${this.next + 1}, but the script has only ${this.turns.length}`,
      );
    }
    return this.turns[this.next++];
  }
}

/** The turns a chat model would have produced for an existing reflection record (code in fences, analyses as text). */
export function turnsFromBlocks(blocks: { type: string; content: string }[], finalAnswer: string): string[] {
  const turns: string[] = [];
  let current: string[] = [];
  for (const b of blocks) {
    if (b.type === 'execution') {
      turns.push(current.join('\n\n'));
      current = [];
    } else {
      current.push(b.type === 'code' ? '```python\n' + b.content + '\n```' : b.content);
    }
  }
  if (current.length) turns.push(current.join('\n\n'));
  turns.push(finalAnswer);
  return turns;
}
