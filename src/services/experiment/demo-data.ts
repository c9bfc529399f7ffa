/**
 * `npm run make-data`: the built-in experiment data, regenerated deterministically from the task family.
 *   instruction.jsonl  generation records (instruction → solution) for the instruction-train split;
 *   reflection.jsonl   reflection records for the reflection-train split, built by the project's reflection
 *                      loop (runReflection, Python service in session mode) driven by the scripted coder —
 *                      every execution block is what the interpreter printed;
 *   validation.jsonl   generation records of the validation split (the experiment's validation loss);
 *   manifest.json      provenance: generator version, seed, counts, filter statistics, task keys per file.
 * The prompts match the evaluation prompt (docs/METHOD.md §7), so a model trained here is evaluated on the same format.
 */
import type { PythonApi, PythonChecker } from '../../api/python.ts';
import type { RejectionReason } from '../../api/reflect.ts';
import { HUMANEVAL_INSTRUCTION, pyStrip } from '../../core/eval/prompt.ts';
import { recordToJson } from '../../core/records/jsonl.ts';
import type { ReflectionRecord } from '../../core/records/schema.ts';
import { runReflection } from '../../core/reflect/loop.ts';
import { fencePython } from '../../core/reflect/text.ts';
import { generateTasks, TASKS_VERSION, toHumanEval } from '../../core/tasks/generate.ts';
import { checkCompletion } from '../eval/evaluate.ts';
import type { Split, Task } from '../../core/tasks/types.ts';
import { planFor, ScriptedCoder, type PlanKind } from './coder.ts';

export const DEMO_DATA_VERSION = 1;
export const DEMO_DATA_SEED = 0;
export const INSTRUCTION_RENAMINGS = 3;
export const DEMO_FILES = ['instruction.jsonl', 'reflection.jsonl', 'validation.jsonl', 'manifest.json'] as const;

/** The instruction of a task, word for word the evaluation prompt's user text. */
export function taskInstruction(task: Task): string {
  return `${HUMANEVAL_INSTRUCTION}\n\n${pyStrip(task.prompt)}`;
}

export function generationRecord(task: Task): ReflectionRecord {
  return {
    type: 'generation',
    messages: [
      { role: 'user', content: [{ type: 'text', content: taskInstruction(task) }] },
      { role: 'assistant', content: [{ type: 'text', content: fencePython(task.solution) }] },
    ],
  };
}

export interface DemoManifest {
  generator: string;
  version: number;
  tasksVersion: number;
  seed: number;
  counts: Record<string, number>;
  reflection: {
    tasks: number;
    kept: number;
    rejected: Partial<Record<RejectionReason | 'final-fails-hidden-tests', number>>;
    plans: Partial<Record<PlanKind, number>>;
    rounds: Record<string, number>;
    mistakes: Record<string, number>;
  };
  files: Record<string, { records: number; taskKeys: string[] }>;
  /** Keys of the test splits, which no training file holds. */
  testKeys: Record<'test-seen' | 'test-unseen', string[]>;
}

export interface DemoData {
  files: Record<(typeof DEMO_FILES)[number], string>;
  manifest: DemoManifest;
}

const jsonl = (records: ReflectionRecord[]): string => records.map((r) => recordToJson(r) + '\n').join('');
const bump = (m: Record<string, number>, k: string): void => {
  m[k] = (m[k] ?? 0) + 1;
};

export interface BuildOptions {
  /** Session-mode interpreter for the reflection loop. */
  python: PythonApi;
  /** Pristine checks of the final code against the hidden tests. */
  checker: PythonChecker;
  seed?: number;
  /** Only the first N reflection-train tasks (tests); default all. */
  reflectionLimit?: number;
  onProgress?: (done: number, total: number) => void;
}

export async function buildDemoData(opts: BuildOptions): Promise<DemoData> {
  const seed = opts.seed ?? DEMO_DATA_SEED;
  const split = (s: Split): Task[] => generateTasks({ seed, split: s });
  // Instruction tasks in INSTRUCTION_RENAMINGS renderings (names and inputs from seeds seed, seed+1, ...): the same
  // tasks, so no new keys, but a model has to copy names from the prompt instead of memorising them.
  const instr = Array.from({ length: INSTRUCTION_RENAMINGS }, (_, k) =>
    generateTasks({ seed: seed + k, split: 'instruction-train' }),
  ).flat();
  const valid = split('validation');
  const reflTasks = split('reflection-train').slice(0, opts.reflectionLimit);
  const reflection: ReflectionRecord[] = [];
  const reflKeys: string[] = [];
  const stats: DemoManifest['reflection'] = {
    tasks: reflTasks.length,
    kept: 0,
    rejected: {},
    plans: {},
    rounds: {},
    mistakes: {},
  };
  for (const [i, task] of reflTasks.entries()) {
    const plan = planFor(task, seed);
    bump(stats.plans, plan.kind);
    const out = await runReflection(taskInstruction(task), new ScriptedCoder(task, plan), opts.python, {
      maxRounds: 8,
      timeoutMs: 10_000,
    });
    // The coder tested with four asserts; a final answer must also pass all the task's hidden tests.
    const hidden = out.record ? await checkCompletion(opts.checker, toHumanEval(task), out.finalCode!) : undefined;
    if (out.record && hidden && !hidden.passed) {
      bump(stats.rejected as Record<string, number>, 'final-fails-hidden-tests');
    } else if (out.record) {
      reflection.push(out.record);
      reflKeys.push(task.key);
      stats.kept += 1;
      bump(stats.rounds, String(out.rounds));
      for (const a of plan.attempts.slice(0, out.rounds)) if (a.mistake) bump(stats.mistakes, a.mistake.kind);
    } else {
      bump(stats.rejected as Record<string, number>, out.rejection!.reason);
    }
    opts.onProgress?.(i + 1, reflTasks.length);
  }
  const manifest: DemoManifest = {
    generator: `reflectioncoder-web make-data v${DEMO_DATA_VERSION} (scripted coder, Pyodide session runs)`,
    version: DEMO_DATA_VERSION,
    tasksVersion: TASKS_VERSION,
    seed,
    counts: {
      'instruction.jsonl': instr.length,
      'reflection.jsonl': reflection.length,
      'validation.jsonl': valid.length,
    },
    reflection: stats,
    files: {
      'instruction.jsonl': { records: instr.length, taskKeys: instr.map((t) => t.key) },
      'reflection.jsonl': { records: reflection.length, taskKeys: reflKeys },
      'validation.jsonl': { records: valid.length, taskKeys: valid.map((t) => t.key) },
    },
    testKeys: {
      'test-seen': split('test-seen').map((t) => t.key),
      'test-unseen': split('test-unseen').map((t) => t.key),
    },
  };
  return {
    files: {
      'instruction.jsonl': jsonl(instr.map(generationRecord)),
      'reflection.jsonl': jsonl(reflection),
      'validation.jsonl': jsonl(valid.map(generationRecord)),
      'manifest.json': JSON.stringify(manifest, null, 1) + '\n',
    },
    manifest,
  };
}
