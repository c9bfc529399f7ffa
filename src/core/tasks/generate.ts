/**
 * The task family's public API: every (template, parameters) pair is one task key; its split is a fixed hash
 * of the key (independent of the seed), so for any seed the test keys never appear in a training split and
 * renamings (a different seed) of a test task are still test tasks. The seed chooses the names and the random
 * test inputs. Templates in UNSEEN_TEMPLATES only ever form the `test-unseen` split.
 */
import type { HumanEvalProblem } from '../eval/types.ts';
import { UsageError } from '../errors.ts';
import { Rng } from '../rng.ts';
import { pick } from './helpers.ts';
import { assertLine } from './pyrepr.ts';
import { DICT_TEMPLATES } from './templates-dicts.ts';
import { LIST_TEMPLATES } from './templates-lists.ts';
import { NUMBER_TEMPLATES } from './templates-numbers.ts';
import { STRING_TEMPLATES } from './templates-strings.ts';
import { UNSEEN_TEMPLATES } from './templates-unseen.ts';
import { SPLITS, type Names, type Params, type Split, type Task, type Template } from './types.ts';

/** Bumped whenever a template, a split rule or a rendering changes (provenance of the shipped data). */
export const TASKS_VERSION = 2;

export const SEEN_TEMPLATES: Template[] = [
  ...LIST_TEMPLATES,
  ...STRING_TEMPLATES,
  ...NUMBER_TEMPLATES,
  ...DICT_TEMPLATES,
];
export { UNSEEN_TEMPLATES };

/** FNV-1a 32-bit with murmur3's finalizer (plain FNV-1a barely moves its high bits for keys that differ in the last character). */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export function taskKey(templateId: string, params: Params): string {
  return `${templateId}/${params.key}`;
}

/** Fractions of each seen template's parameter combinations per split (hash of the key, fixed). */
const SPLIT_CUTS: [Split, number][] = [
  ['test-seen', 0.14],
  ['validation', 0.2],
  ['reflection-train', 0.45],
  ['instruction-train', 1],
];

export function splitOfKey(key: string, unseen: boolean): Split {
  if (unseen) return 'test-unseen';
  const u = hash32(`rcw-split-v1:${key}`) / 2 ** 32;
  return SPLIT_CUTS.find(([, cut]) => u < cut)![0];
}

function buildTask(t: Template, p: Params, split: Split, seed: number): Task {
  const key = taskKey(t.id, p);
  const rng = new Rng((hash32(key) ^ Math.imul(seed >>> 0, 0x9e3779b1)) >>> 0);
  const choices = t.names(p);
  const names: Names = { fn: pick(rng, choices.fn), args: choices.args.map((a) => pick(rng, a)) };
  const inputs = t.inputs(p, rng);
  const asserts = inputs.map((args) => assertLine(names.fn, args, t.ref(p, args)));
  const instruction = t.describe(p, names);
  const signature = `def ${names.fn}(${names.args.join(', ')}):`;
  return {
    key,
    template: t.id,
    family: t.family,
    split,
    params: p,
    instruction,
    signature,
    entryPoint: names.fn,
    prompt: `${signature}\n    """${instruction}"""\n`,
    solution: t.solution(p, names),
    asserts,
    mistakes: t.mistakes(p, names),
  };
}

/** Every task of every split for `seed`, in a fixed order (template order, then parameter order). */
export function allTasks(seed: number): Task[] {
  const out: Task[] = [];
  for (const [templates, unseen] of [
    [SEEN_TEMPLATES, false],
    [UNSEEN_TEMPLATES, true],
  ] as const) {
    for (const t of templates)
      for (const p of t.params()) out.push(buildTask(t, p, splitOfKey(taskKey(t.id, p), unseen), seed));
  }
  return out;
}

export interface GenerateOptions {
  seed: number;
  split: Split;
  /** Keep at most this many, chosen by a seeded shuffle (stable for a seed); default all. */
  limit?: number;
}

export function generateTasks(opts: GenerateOptions): Task[] {
  if (!SPLITS.includes(opts.split))
    throw new UsageError(`split: expected one of ${SPLITS.join(', ')}, found ${JSON.stringify(opts.split)}`);
  if (!Number.isInteger(opts.seed) || opts.seed < 0)
    throw new UsageError(`seed: expected an integer ≥ 0, found ${opts.seed}`);
  const tasks = allTasks(opts.seed).filter((t) => t.split === opts.split);
  if (opts.limit === undefined || opts.limit >= tasks.length) return tasks;
  const order = new Rng(opts.seed ^ 0x5eed)
    .shuffle(tasks.map((_, i) => i))
    .slice(0, opts.limit)
    .sort((a, b) => a - b);
  return order.map((i) => tasks[i]!);
}

/** The task as a HumanEval problem for the evaluator: the completion is a whole function (docs/METHOD.md §7). */
export function toHumanEval(task: Task): HumanEvalProblem {
  const renamed = task.asserts.map(
    (a) => '    ' + a.replace(new RegExp(`^assert ${task.entryPoint}\\(`), 'assert candidate('),
  );
  return {
    task_id: task.key,
    prompt: task.prompt,
    canonical_solution: task.solution,
    test: `def check(candidate):\n${renamed.join('\n')}\n`,
    entry_point: task.entryPoint,
  };
}
