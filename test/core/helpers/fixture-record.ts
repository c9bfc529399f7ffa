/**
 * Rebuilds the reflection record behind test/fixtures/reflection-loss.json from its annotation and
 * input_ids, with a fake TokenizerLike that maps each block's placeholder text to the fixture's ids.
 * Serialising that record must give back the fixture's ids, annotation and targets exactly.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { BlockType, Message, ReflectionRecord } from '../../../src/core/records/schema.ts';
import type { TokenAnnotation, TokenizerLike } from '../../../src/core/records/serialize.ts';

export const FIXTURES = path.resolve(import.meta.dirname, '..', '..', 'fixtures');

export interface LossCase {
  strategy: string;
  order: string;
  mask_rate: number;
  student_visible: boolean[];
  ce_teacher: number;
  ce_student: number;
  kl: number;
  total: number;
}
export interface ReflectionLossFixture {
  special_token_ids: Record<string, number>;
  input_ids: number[];
  annotation: TokenAnnotation[];
  teacher_targets: boolean[];
  student_targets: boolean[];
  cases: LossCase[];
  gradient_case: { strategy: string; order: string; mask_rate: number; file: string };
}

export function loadReflectionLossFixture(): ReflectionLossFixture {
  return JSON.parse(readFileSync(path.join(FIXTURES, 'reflection-loss.json'), 'utf8')) as ReflectionLossFixture;
}

/** A tokenizer that knows only the fixture's block texts (placeholders) and special ids. */
export class FakeTokenizer implements TokenizerLike {
  readonly bos: number;
  readonly eos: number;
  constructor(
    private readonly specials: Record<string, number>,
    private readonly texts: Map<string, number[]>,
  ) {
    this.bos = specials['<|bos|>']!;
    this.eos = specials['<|eos|>']!;
  }
  encode(text: string): number[] {
    const ids = this.texts.get(text);
    if (!ids) throw new Error(`FakeTokenizer: unknown text ${JSON.stringify(text)}`);
    return ids;
  }
  special(name: string): number {
    const id = this.specials[name];
    if (id === undefined) throw new Error(`FakeTokenizer: unknown special ${name}`);
    return id;
  }
}

/** Groups the fixture tokens into messages and blocks; block contents become placeholder texts. */
export function rebuildFixtureRecord(fx: ReflectionLossFixture): { record: ReflectionRecord; tok: FakeTokenizer } {
  const texts = new Map<string, number[]>();
  const messages: Message[] = [];
  let current: Message | null = null;
  let blockStart = -1;
  fx.annotation.forEach((a, i) => {
    if (a.segment.endsWith(':header')) {
      const roleId = fx.input_ids[i];
      current = { role: roleId === fx.special_token_ids['<|user|>'] ? 'user' : 'assistant', content: [] };
      messages.push(current);
      return;
    }
    if (a.block < 0 || !current) return;
    const next = fx.annotation[i + 1];
    if (blockStart < 0) blockStart = i;
    const blockEnds = !next || next.block !== a.block || next.segment !== a.segment;
    if (!blockEnds) return;
    // Block = type token, content ids, <|endofblock|>.
    const content = fx.input_ids.slice(blockStart + 1, i);
    const key = `block@${blockStart}`;
    texts.set(key, content);
    current.content.push({ type: a.block_type as BlockType, content: key });
    blockStart = -1;
  });
  return { record: { type: 'reflection', messages }, tok: new FakeTokenizer(fx.special_token_ids, texts) };
}

/** A record rebuilt from token ids alone (role, block and end tokens of `specials`); block contents become placeholder texts. */
export function recordFromIds(
  ids: readonly number[],
  specials: Record<string, number>,
): { record: ReflectionRecord; tok: FakeTokenizer } {
  const texts = new Map<string, number[]>();
  const messages: Message[] = [];
  const blockOf = new Map<number, BlockType>([
    [specials['<|text|>']!, 'text'],
    [specials['<|code|>']!, 'code'],
    [specials['<|execution|>']!, 'execution'],
  ]);
  let current: Message | null = null;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if (id === specials['<|user|>'] || id === specials['<|assistant|>']) {
      current = { role: id === specials['<|user|>'] ? 'user' : 'assistant', content: [] };
      messages.push(current);
    } else if (blockOf.has(id) && current) {
      const end = ids.indexOf(specials['<|endofblock|>']!, i);
      const key = `block@${i}`;
      texts.set(key, ids.slice(i + 1, end));
      current.content.push({ type: blockOf.get(id)!, content: key });
      i = end;
    }
  }
  return { record: { type: 'reflection', messages }, tok: new FakeTokenizer(specials, texts) };
}

export interface OfficialLossCase {
  records: string[];
  strategy: string;
  order: string;
  mask_rate: number;
  pad_id?: number;
  student_attention: number[][];
  ce: number;
  kl: number;
  total: number;
}
export interface OfficialLossFixture {
  special_token_ids: Record<string, number>;
  records: Record<string, { input_ids: number[]; teacher_labels: number[]; distillation_labels: number[] }>;
  cases: OfficialLossCase[];
  gradient_case: {
    records: string[];
    strategy: string;
    order: string;
    mask_rate: number;
    pad_id: number;
    file: string;
  };
}

export function loadOfficialLossFixture(): OfficialLossFixture {
  return JSON.parse(readFileSync(path.join(FIXTURES, 'reflection-loss-official.json'), 'utf8')) as OfficialLossFixture;
}
