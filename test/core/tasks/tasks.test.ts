/** The task family: determinism, ≥ 5 asserts, and pairwise-disjoint splits (no test key, i.e. no renaming of a test task, in training). */
import { describe, expect, it } from 'vitest';
import {
  allTasks,
  generateTasks,
  SEEN_TEMPLATES,
  SPLITS,
  TRAINING_SPLITS,
  UNSEEN_TEMPLATES,
  toHumanEval,
} from '../../../src/core/tasks/index.ts';

describe('task family', () => {
  it('is deterministic for a seed and renames (but keeps keys and splits) across seeds', () => {
    const a = allTasks(3);
    expect(allTasks(3)).toEqual(a);
    const b = allTasks(4);
    expect(b.map((t) => [t.key, t.split])).toEqual(a.map((t) => [t.key, t.split]));
    expect(b.filter((t, i) => t.prompt !== a[i]!.prompt).length).toBeGreaterThan(a.length / 3);
  });

  it('gives every task an instruction, a signature, a solution and ≥ 5 asserts', () => {
    const tasks = allTasks(0);
    expect(tasks.length).toBeGreaterThan(400);
    expect(SEEN_TEMPLATES.length + UNSEEN_TEMPLATES.length).toBeGreaterThanOrEqual(20);
    for (const t of tasks) {
      expect(t.asserts.length, t.key).toBeGreaterThanOrEqual(5);
      expect(t.solution.startsWith(t.signature), t.key).toBe(true);
      expect(t.prompt).toContain(t.instruction);
      for (const m of t.mistakes) expect(m.code, `${t.key} ${m.kind}`).not.toBe(t.solution);
      // No constant answer passes: the expected values differ.
      expect(new Set(t.asserts.map((a) => a.replace(/^assert \w+\(.*\) (==|is) /, ''))).size, t.key).toBeGreaterThan(1);
    }
    expect(new Set(tasks.map((t) => t.key)).size).toBe(tasks.length);
  });

  it('keeps the splits pairwise disjoint, for any seed, with unseen templates only in test-unseen', () => {
    for (const seed of [0, 1, 12345]) {
      const bySplit = new Map(SPLITS.map((s) => [s, new Set(generateTasks({ seed, split: s }).map((t) => t.key))]));
      for (const s of SPLITS) expect(bySplit.get(s)!.size, s).toBeGreaterThan(0);
      for (const s1 of SPLITS)
        for (const s2 of SPLITS)
          if (s1 < s2)
            for (const k of bySplit.get(s1)!) expect(bySplit.get(s2)!.has(k), `${k} in ${s1} and ${s2}`).toBe(false);
      const unseen = new Set(UNSEEN_TEMPLATES.map((t) => t.id));
      for (const s of SPLITS)
        for (const k of bySplit.get(s)!) expect(unseen.has(k.split('/')[0]!), k).toBe(s === 'test-unseen');
      // Seen-template test tasks: their template appears in training, their parameters do not.
      const trainTemplates = new Set(
        [...TRAINING_SPLITS].flatMap((s) => [...bySplit.get(s)!].map((k) => k.split('/')[0])),
      );
      for (const k of bySplit.get('test-seen')!) expect(trainTemplates.has(k.split('/')[0]!), k).toBe(true);
    }
  });

  it('no test task of one seed appears (renamed or not) in the training splits of another', () => {
    const test = new Set(
      [...generateTasks({ seed: 9, split: 'test-seen' }), ...generateTasks({ seed: 9, split: 'test-unseen' })].map(
        (t) => t.key,
      ),
    );
    const train = [...TRAINING_SPLITS].flatMap((s) => generateTasks({ seed: 0, split: s }));
    expect(train.filter((t) => test.has(t.key))).toEqual([]);
    const prompts = new Set(train.map((t) => t.instruction));
    expect([...generateTasks({ seed: 0, split: 'test-seen' })].filter((t) => prompts.has(t.instruction))).toEqual([]);
  });

  it('limits with a stable seeded subset and converts to HumanEval problems', () => {
    const sub = generateTasks({ seed: 2, split: 'test-seen', limit: 5 });
    expect(sub).toHaveLength(5);
    expect(generateTasks({ seed: 2, split: 'test-seen', limit: 5 })).toEqual(sub);
    const p = toHumanEval(sub[0]!);
    expect(p.test).toMatch(/^def check\(candidate\):\n {4}assert candidate\(/);
    expect(p.test).not.toContain(`${sub[0]!.entryPoint}(`);
  });
});
