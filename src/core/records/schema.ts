/**
 * The released ReflectionSeq / CodeFeedback record schema (docs/METHOD.md §1):
 * `{ messages: [{ role, content: [{ type, content }] }], type: 'reflection' | 'generation' }`,
 * with `messages` also accepted as a JSON string (some dataset exports store it that way).
 * As the official processor (src/utils/processor.py process_tokenize), any list of user / assistant
 * messages is accepted, and keys other than these are ignored (counted, so an import can warn).
 * Refused, because the official code would crash or train on nonsense: no user message or no
 * assistant message (processor.py:71/74 take max() over them), a last message that is not the
 * assistant's (its text would become distillation labels), a reflection record with a single assistant
 * message (the reflection sequence would be the final answer itself), and a message without content.
 */
import { DataFormatError } from '../errors.ts';

export type BlockType = 'text' | 'code' | 'execution';
export type Role = 'user' | 'assistant';
export interface Block {
  type: BlockType;
  content: string;
}
export interface Message {
  role: Role;
  content: Block[];
}
export type RecordType = 'reflection' | 'generation';
export interface ReflectionRecord {
  type: RecordType;
  messages: Message[];
}

export const BLOCK_TYPES: readonly BlockType[] = ['text', 'code', 'execution'];
export const ROLES: readonly Role[] = ['user', 'assistant'];
export const RECORD_TYPES: readonly RecordType[] = ['reflection', 'generation'];

/** The usual role sequence per record type: reflection = [reflection instruction, reflection
 *  sequence, re-answer instruction, final answer]; generation = [instruction, answer]. Others are accepted (see above). */
export const EXPECTED_ROLES: Record<RecordType, readonly Role[]> = {
  reflection: ['user', 'assistant', 'user', 'assistant'],
  generation: ['user', 'assistant'],
};

const RECORD_KEYS = new Set(['messages', 'type']);

/** Keys the schema does not know, by path (`record.id`, `message.name`, `block.lang`), collected while validating. */
export type IgnoredKeys = Map<string, number>;

function noteIgnored(ignored: IgnoredKeys | undefined, where: string, keys: string[]): void {
  if (!ignored) return;
  for (const k of keys) ignored.set(`${where}.${k}`, (ignored.get(`${where}.${k}`) ?? 0) + 1);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `"${v.length > 40 ? v.slice(0, 40) + '…' : v}"`;
  return typeof v;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function validateBlock(raw: unknown, where: string, ignored?: IgnoredKeys): Block {
  if (!isPlainObject(raw))
    throw new DataFormatError(`${where}: expected a block object {type, content}, found ${describe(raw)}`);
  noteIgnored(
    ignored,
    'block',
    Object.keys(raw).filter((k) => k !== 'type' && k !== 'content'),
  );
  const type = raw.type;
  if (typeof type !== 'string' || !(BLOCK_TYPES as readonly string[]).includes(type)) {
    throw new DataFormatError(
      `${where}: unknown block type ${describe(type)} (expected one of ${BLOCK_TYPES.join(', ')})`,
    );
  }
  if (typeof raw.content !== 'string') {
    throw new DataFormatError(`${where}: block content must be a string, found ${describe(raw.content)}`);
  }
  return { type: type as BlockType, content: raw.content };
}

function validateMessage(raw: unknown, where: string, ignored?: IgnoredKeys): Message {
  if (!isPlainObject(raw))
    throw new DataFormatError(`${where}: expected a message object {role, content}, found ${describe(raw)}`);
  noteIgnored(
    ignored,
    'message',
    Object.keys(raw).filter((k) => k !== 'role' && k !== 'content'),
  );
  const role = raw.role;
  if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) {
    throw new DataFormatError(`${where}: unknown role ${describe(role)} (expected user or assistant)`);
  }
  if (!Array.isArray(raw.content)) {
    throw new DataFormatError(`${where}: message content must be an array of blocks, found ${describe(raw.content)}`);
  }
  if (raw.content.length === 0) throw new DataFormatError(`${where}: message has no blocks`);
  const content = raw.content.map((b, j) => validateBlock(b, `${where} block ${j}`, ignored));
  // An empty execution block is real data (a run that printed nothing); a message with nothing in any block is not.
  if (content.every((b) => b.content.trim() === ''))
    throw new DataFormatError(`${where}: message content is empty (every block is blank)`);
  return { role: role as Role, content };
}

/** Validates one parsed JSON value and returns a fresh, normalised record (messages always an array).
 *  Throws DataFormatError saying what was expected and what was found. Unknown keys are dropped and,
 *  when `ignored` is given, counted there. */
export function validateRecord(raw: unknown, ignored?: IgnoredKeys): ReflectionRecord {
  if (!isPlainObject(raw))
    throw new DataFormatError(`expected a record object {messages, type}, found ${describe(raw)}`);
  noteIgnored(
    ignored,
    'record',
    Object.keys(raw).filter((k) => !RECORD_KEYS.has(k)),
  );
  const type = raw.type;
  if (typeof type !== 'string' || !(RECORD_TYPES as readonly string[]).includes(type)) {
    throw new DataFormatError(`record type must be "reflection" or "generation", found ${describe(type)}`);
  }
  let messages = raw.messages;
  if (typeof messages === 'string') {
    try {
      messages = JSON.parse(messages) as unknown;
    } catch (e) {
      throw new DataFormatError(`messages is a string but not valid JSON: ${(e as Error).message}`);
    }
  }
  if (!Array.isArray(messages))
    throw new DataFormatError(`messages must be an array (or a JSON string of one), found ${describe(messages)}`);
  const msgs = messages.map((m, i) => validateMessage(m, `message ${i}`, ignored));
  const found = msgs.map((m) => m.role);
  const shown = `[${found.join(', ')}]`;
  const assistants = found.filter((r) => r === 'assistant').length;
  if (!found.includes('user') || assistants === 0 || found[found.length - 1] !== 'assistant') {
    const hint = found.length > 0 && found[found.length - 1] === 'user' ? ' (no final answer)' : '';
    throw new DataFormatError(
      `a ${type} record needs at least one user message and ends with an assistant message, found ${shown}${hint}`,
    );
  }
  if (type === 'reflection' && assistants < 2) {
    throw new DataFormatError(
      `a reflection record needs two assistant messages (the reflection sequence, then the final answer), found ${shown}`,
    );
  }
  return { type: type as RecordType, messages: msgs };
}
