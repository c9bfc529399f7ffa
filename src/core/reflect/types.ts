/**
 * Reflection-sequence construction (paper §3.1, App. A; docs/METHOD.md §6): plain-data domain types (re-exported by src/api/reflect.ts) shared by the loop
 * (src/core/reflect/), the generators (src/services/reflect/) and the Reflect panel.
 */
import type { Block, ReflectionRecord } from '../records/schema.ts';
import type { RunResult } from '../python.ts';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** A chat model: OpenAI-compatible endpoint, scripted turns. */
export interface ChatModel {
  readonly name: string;
  complete(messages: ChatMessage[], opts?: { signal?: AbortSignal }): Promise<string>;
}

/** What the loop knows when it asks for the next step. */
export interface ReflectionContext {
  problem: string;
  /** The stage-1 instruction (reflectionInstruction(problem)). */
  instruction: string;
  /** The reflection sequence so far (code / execution / text blocks). */
  blocks: Block[];
}

/** One step of the sequence: an analysis (optional before the first code) and the next code block. */
export interface ReflectionStep {
  text?: string;
  code?: string;
}

export interface ReflectionGenerator {
  readonly name: string;
  /** 'attempt': analysis of the last execution (if any) and new code. 'closing': a short analysis after the tests passed. */
  step(ctx: ReflectionContext, phase: 'attempt' | 'closing', signal?: AbortSignal): Promise<ReflectionStep>;
  /** Stage 2: the reply to the re-answer prompt (should hold the final code in a ```python fence). */
  reanswer(ctx: ReflectionContext, reanswerPrompt: string, signal?: AbortSignal): Promise<string>;
}

/** Why a constructed sequence is not kept (the paper's filters, plus malformed generator output). */
export type RejectionReason = 'io-keyword' | 'unresolved' | 'first-attempt-passed' | 'no-code' | 'no-final-code';

export interface Rejection {
  reason: RejectionReason;
  detail: string;
}

export type ReflectEvent =
  | { type: 'block'; index: number; block: Block }
  | { type: 'run'; round: number; result: RunResult }
  | { type: 'status'; message: string };

export interface ReflectOutcome {
  problem: string;
  generator: string;
  /** The kept record (official schema), when no filter rejected it. */
  record?: ReflectionRecord;
  rejection?: Rejection;
  /** The sequence as built, kept or not. */
  blocks: Block[];
  /** Code executions. */
  rounds: number;
  finalCode?: string;
}
