/**
 * The reflection loop of paper §3.1 / App. A (docs/METHOD.md §6): stage 1 asks for code with asserts, runs it in a
 * Python session, appends the execution block, and asks for an analysis and new code, until a run passes
 * (then a closing analysis) or `maxRounds` code blocks ran. Stage 2 asks for the final standalone code.
 * Filters (each rejection is returned with its reason): I/O keywords, unresolved after maxRounds, and a first
 * attempt that already passed (nothing to reflect on).
 */
import type { PythonApi } from '../python.ts';
import type { ReflectEvent, ReflectOutcome, ReflectionContext, ReflectionGenerator, Rejection } from './types.ts';
import { REANSWER_PROMPT, reflectionInstruction } from '../data/prompts.ts';
import { UsageError } from '../errors.ts';
import type { Block, ReflectionRecord } from '../records/schema.ts';
import { executionText, fencePython, findIoKeyword, parseReply } from './text.ts';

export interface ReflectOptions {
  /** Code executions before giving up (paper: 8). */
  maxRounds?: number;
  /** Limit per execution. */
  timeoutMs?: number;
  onEvent?: (e: ReflectEvent) => void;
  signal?: AbortSignal;
}

export async function runReflection(
  problem: string,
  generator: ReflectionGenerator,
  python: PythonApi,
  opts: ReflectOptions = {},
): Promise<ReflectOutcome> {
  const maxRounds = opts.maxRounds ?? 8;
  if (!problem.trim()) throw new UsageError('runReflection: expected a problem statement, found an empty string');
  if (!(Number.isInteger(maxRounds) && maxRounds >= 1))
    throw new UsageError(`maxRounds: expected an integer >= 1, found ${maxRounds}`);
  const ctx: ReflectionContext = { problem, instruction: reflectionInstruction(problem), blocks: [] };
  const emit = (e: ReflectEvent): void => opts.onEvent?.(e);
  const push = (block: Block): void => {
    ctx.blocks.push(block);
    emit({ type: 'block', index: ctx.blocks.length - 1, block });
  };
  let rounds = 0;
  const done = (rejection?: Rejection, record?: ReflectionRecord, finalCode?: string): ReflectOutcome => {
    if (rejection) emit({ type: 'status', message: `rejected (${rejection.reason}): ${rejection.detail}` });
    return { problem, generator: generator.name, blocks: ctx.blocks, rounds, rejection, record, finalCode };
  };

  await python.resetSession();
  let passed = false;
  while (rounds < maxRounds) {
    opts.signal?.throwIfAborted();
    emit({ type: 'status', message: `round ${rounds + 1}: asking ${generator.name} for code` });
    const step = await generator.step(ctx, 'attempt', opts.signal);
    if (step.text?.trim()) push({ type: 'text', content: step.text.trim() });
    if (!step.code?.trim())
      return done({ reason: 'no-code', detail: `round ${rounds + 1}: the reply had no Python code block` });
    const io = findIoKeyword(step.code);
    push({ type: 'code', content: step.code });
    if (io) return done({ reason: 'io-keyword', detail: `round ${rounds + 1}: the code uses '${io}'` });
    rounds += 1;
    emit({ type: 'status', message: `round ${rounds}: running the code` });
    const result = await python.run(step.code, { mode: 'session', timeoutMs: opts.timeoutMs ?? 10_000 });
    emit({ type: 'run', round: rounds, result });
    push({ type: 'execution', content: executionText(result) });
    if (result.status === 'ok') {
      passed = true;
      break;
    }
  }
  if (!passed) return done({ reason: 'unresolved', detail: `the tests still failed after ${maxRounds} rounds` });
  if (rounds === 1)
    return done({
      reason: 'first-attempt-passed',
      detail: 'the first code already passed its tests: nothing to reflect on',
    });

  emit({ type: 'status', message: 'tests passed: asking for a closing analysis' });
  const closing = await generator.step(ctx, 'closing', opts.signal);
  if (closing.text?.trim()) push({ type: 'text', content: closing.text.trim() });

  emit({ type: 'status', message: 'stage 2: asking for the final code' });
  const reply = await generator.reanswer(ctx, REANSWER_PROMPT, opts.signal);
  const finalCode = parseReply(reply).code;
  if (!finalCode?.trim()) return done({ reason: 'no-final-code', detail: 'the re-answer had no ```python block' });
  const io = findIoKeyword(finalCode);
  if (io) return done({ reason: 'io-keyword', detail: `the final code uses '${io}'` }, undefined, finalCode);

  // The record's second round is the plain problem → final answer (docs/METHOD.md §3: the re-answer instruction
  // in training data is the problem itself, so that round is exactly a one-off generation).
  const record: ReflectionRecord = {
    type: 'reflection',
    messages: [
      { role: 'user', content: [{ type: 'text', content: ctx.instruction }] },
      { role: 'assistant', content: ctx.blocks.map((b) => ({ ...b })) },
      { role: 'user', content: [{ type: 'text', content: problem }] },
      { role: 'assistant', content: [{ type: 'text', content: fencePython(finalCode) }] },
    ],
  };
  emit({ type: 'status', message: `kept: ${rounds} rounds` });
  return done(undefined, record, finalCode);
}
