/**
 * The scripted coder that builds reflection data for the generated tasks (issue 11): a ReflectionGenerator
 * whose first attempt carries a realistic mistake from the task's catalogue, whose analyses are written
 * from the REAL execution block the loop hands back (the failing assert is read from the traceback's
 * line number, the error from its last line), and which fixes the code — sometimes only after a second
 * wrong attempt, sometimes never (the loop then rejects the record as unresolved). A plan is drawn per
 * task from a seeded RNG, so the data is reproducible.
 */
import type { ReflectionContext, ReflectionGenerator, ReflectionStep } from '../../api/reflect.ts';
import { fencePython } from '../../core/reflect/text.ts';
import { Rng } from '../../core/rng.ts';
import { hash32 } from '../../core/tasks/generate.ts';
import type { Mistake, Task } from '../../core/tasks/types.ts';

/** One attempt: the function source and, when it is wrong, the mistake it carries. */
interface Attempt {
  code: string;
  mistake?: Mistake;
}

export type PlanKind = 'one-fix' | 'two-fixes' | 'first-try' | 'writes-log' | 'stuck';

export interface CoderPlan {
  kind: PlanKind;
  attempts: Attempt[];
}

/** The attempts the coder will make for `task` (the loop stops earlier when a run passes). */
export function planFor(task: Task, seed: number): CoderPlan {
  const rng = new Rng((hash32(`coder:${task.key}`) ^ Math.imul(seed + 1, 0x27d4eb2d)) >>> 0);
  const ms = rng.shuffle([...task.mistakes]);
  const ok: Attempt = { code: task.solution };
  const u = rng.next();
  if (ms.length === 0 || u < 0.08) return { kind: 'first-try', attempts: [ok] };
  if (u < 0.11) {
    // Saves its result to a file "for later": the paper's I/O filter drops such sequences.
    const log = `${task.solution}\n\nwith open("results.txt", "w") as f:\n    f.write("checked")`;
    return { kind: 'writes-log', attempts: [{ code: log }, ok] };
  }
  if (u < 0.15)
    return {
      kind: 'stuck',
      attempts: Array.from({ length: 8 }, (_, i) => ({ code: ms[i % ms.length]!.code, mistake: ms[i % ms.length] })),
    };
  if (u < 0.45 && ms.length >= 2)
    return {
      kind: 'two-fixes',
      attempts: [{ code: ms[0]!.code, mistake: ms[0] }, { code: ms[1]!.code, mistake: ms[1] }, ok],
    };
  return { kind: 'one-fix', attempts: [{ code: ms[0]!.code, mistake: ms[0] }, ok] };
}

/** What the last execution block says: the failing line of the cell and the error line. */
export function readFailure(execution: string, code: string): { line?: string; error: string } {
  const m = /Cell In\[\d+\], line (\d+)/.exec(execution);
  const lines = execution.trimEnd().split('\n');
  const error = lines[lines.length - 1]!.trim();
  const line = m ? code.split('\n')[Number(m[1]) - 1]?.trim() : undefined;
  return { line, error };
}

const CODER_TESTS = 4;
const OPENERS = ['The test', 'The assertion', 'This check'];

export class ScriptedCoder implements ReflectionGenerator {
  readonly name = 'scripted coder';
  private round = 0;

  constructor(
    private readonly task: Task,
    readonly plan: CoderPlan,
    private readonly rng = new Rng(hash32(`words:${task.key}`)),
  ) {}

  /** The coder's own tests: the task's first four asserts (edge cases first); the final code is checked on all of them by make-data. */
  private get tests(): string[] {
    return this.task.asserts.slice(0, CODER_TESTS);
  }

  private cell(a: Attempt): string {
    return `${a.code}\n\n${this.tests.join('\n')}`;
  }

  private analysis(ctx: ReflectionContext): string {
    const prev = this.plan.attempts[this.round - 1]!;
    const exec = ctx.blocks[ctx.blocks.length - 1]!.content;
    const code = ctx.blocks[ctx.blocks.length - 2]!.content;
    const { line, error } = readFailure(exec, code);
    const err = error.replace(/:$/, '');
    const what = err === 'AssertionError' ? 'failed' : `raised ${err}`;
    const where = line?.startsWith('assert')
      ? `${this.rng.int(2) ? OPENERS[this.rng.int(3)]! : 'Running'} \`${line}\` ${what}`
      : `The run ${what}${line ? ` at \`${line}\`` : ''}`;
    if (!prev.mistake) return `${where}. The code does something the task does not allow, so I will remove that part.`;
    return `${where}. The cause: ${prev.mistake.cause}. To fix it I will ${prev.mistake.fix}.`;
  }

  async step(ctx: ReflectionContext, phase: 'attempt' | 'closing'): Promise<ReflectionStep> {
    if (phase === 'closing') {
      const last = this.plan.attempts[this.round - 1]!;
      return {
        text: `All ${this.tests.length} tests pass now${this.round > 2 ? ` after ${this.round - 1} fixes` : ''}. \`${this.task.entryPoint}\` ${last.mistake ? 'passes these tests' : 'is correct on the edge cases too'}.`,
      };
    }
    const attempt = this.plan.attempts[Math.min(this.round, this.plan.attempts.length - 1)]!;
    const text = this.round === 0 ? undefined : this.analysis(ctx);
    this.round += 1;
    return { text, code: this.cell(attempt) };
  }

  async reanswer(): Promise<string> {
    const passed = this.plan.attempts[this.round - 1]!;
    return fencePython(passed.code);
  }
}
