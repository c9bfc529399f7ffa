/**
 * The released ReflectionSeq / CodeFeedback record schema (METHOD.md §1):
 * `{ messages: [{ role, content: [{ type, content }] }], type: 'reflection' | 'generation' }`,
 * with `messages` also accepted as a JSON string (some dataset exports store it that way).
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

/** Expected role sequence per record type: reflection = [reflection instruction, reflection
 *  sequence, re-answer instruction, final answer]; generation = [instruction, answer]. */
export const EXPECTED_ROLES: Record<RecordType, readonly Role[]> = {
  reflection: ['user', 'assistant', 'user', 'assistant'],
  generation: ['user', 'assistant'],
};

const RECORD_KEYS = new Set(['messages', 'type']);

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `"${v.length > 40 ? v.slice(0, 40) + '…' : v}"`;
  return typeof v;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function validateBlock(raw: unknown, where: string): Block {
  if (!isPlainObject(raw)) throw new DataFormatError(`${where}: expected a block object {type, content}, found ${describe(raw)}`);
  for (const k of Object.keys(raw)) {
    if (k !== 'type' && k !== 'content') throw new DataFormatError(`${where}: unknown block key "${k}" (expected type, content)`);
  }
  const type = raw.type;
  if (typeof type !== 'string' || !(BLOCK_TYPES as readonly string[]).includes(type)) {
    throw new DataFormatError(`${where}: unknown block type ${describe(type)} (expected one of ${BLOCK_TYPES.join(', ')})`);
  }
  if (typeof raw.content !== 'string') {
    throw new DataFormatError(`${where}: block content must be a string, found ${describe(raw.content)}`);
  }
  return { type: type as BlockType, content: raw.content };
}

function validateMessage(raw: unknown, where: string): Message {
  if (!isPlainObject(raw)) throw new DataFormatError(`${where}: expected a message object {role, content}, found ${describe(raw)}`);
  for (const k of Object.keys(raw)) {
    if (k !== 'role' && k !== 'content') throw new DataFormatError(`${where}: unknown message key "${k}" (expected role, content)`);
  }
  const role = raw.role;
  if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) {
    throw new DataFormatError(`${where}: unknown role ${describe(role)} (expected user or assistant)`);
  }
  if (!Array.isArray(raw.content)) {
    throw new DataFormatError(`${where}: message content must be an array of blocks, found ${describe(raw.content)}`);
  }
  if (raw.content.length === 0) throw new DataFormatError(`${where}: message has no blocks`);
  const content = raw.content.map((b, j) => validateBlock(b, `${where} block ${j}`));
  return { role: role as Role, content };
}

/** Validates one parsed JSON value and returns a fresh, normalised record (messages always an array).
 *  Throws DataFormatError saying what was expected and what was found. */
export function validateRecord(raw: unknown): ReflectionRecord {
  if (!isPlainObject(raw)) throw new DataFormatError(`expected a record object {messages, type}, found ${describe(raw)}`);
  for (const k of Object.keys(raw)) {
    if (!RECORD_KEYS.has(k)) throw new DataFormatError(`unknown record key "${k}" (expected messages, type)`);
  }
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
  if (!Array.isArray(messages)) throw new DataFormatError(`messages must be an array (or a JSON string of one), found ${describe(messages)}`);
  const msgs = messages.map((m, i) => validateMessage(m, `message ${i}`));
  const expected = EXPECTED_ROLES[type as RecordType];
  const found = msgs.map((m) => m.role);
  if (found.length !== expected.length || found.some((r, i) => r !== expected[i])) {
    const hint = found.length < expected.length && found.every((r, i) => r === expected[i]) ? ' (no final answer)' : '';
    throw new DataFormatError(
      `a ${type} record needs messages [${expected.join(', ')}], found [${found.join(', ')}]${hint}`,
    );
  }
  return { type: type as RecordType, messages: msgs };
}
