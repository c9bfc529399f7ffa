/**
 * Evaluation in Chromium, on the page's pool of pristine Pyodide workers (window.__rcCheckPool, created by the
 * Evaluate panel): the 164 canonical HumanEval solutions pass; the adversarial isolation samples (the same ones as
 * in Node, test/services/eval/adversarial.ts) leave canonical solutions passing and wrong ones failing; a spread
 * of HumanEval+ canonical solutions pass base and plus. Data comes from ../shared (skipped when absent).
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { readProblemFile } from '../../src/core/eval/problem-file.ts';
import { HAS_HUMANEVAL, HUMANEVAL_PATH, SKIP_HUMANEVAL } from '../core/eval/humaneval-file.ts';
import { ADVERSARIAL, PROBES } from '../services/eval/adversarial.ts';
import { openApp, repoRoot, type OpenApp } from './harness.ts';

const PLUS = join(repoRoot, '..', 'shared', 'data', 'HumanEvalPlus.jsonl.gz');
let app: OpenApp;
let page: Page;

interface Payload {
  prompt: string;
  completion: string;
  test: string;
  entry_point: string;
}

/** human-eval verdicts for payloads, checked on the page's pool (all in flight at once). */
function verdicts(payloads: Payload[], timeoutMs = 3000): Promise<string[]> {
  return page.evaluate(
    async ({ payloads, timeoutMs }) => {
      const pool = (
        window as unknown as {
          __rcCheckPool: {
            check(k: string, p: object, o: object): Promise<{ status: string; value?: { result?: string } }>;
          };
        }
      ).__rcCheckPool;
      const out = await Promise.all(payloads.map((p) => pool.check('human-eval', p, { timeoutMs })));
      return out.map((o) => (o.status === 'ok' ? String(o.value?.result) : 'timed out'));
    },
    { payloads, timeoutMs },
  );
}

describe.skipIf(!HAS_HUMANEVAL)(
  `evaluation in Chromium (${HAS_HUMANEVAL ? 'HumanEval present' : SKIP_HUMANEVAL})`,
  () => {
    beforeAll(async () => {
      app = await openApp();
      page = app.page;
      await page.getByRole('tab', { name: 'Evaluate' }).click();
      await page.waitForFunction(
        () => 'check' in ((window as unknown as { __rcCheckPool?: object }).__rcCheckPool ?? {}),
        undefined,
        { timeout: 60_000 },
      );
      await page.evaluate(() =>
        (window as unknown as { __rcCheckPool: { start(): Promise<unknown> } }).__rcCheckPool.start(),
      );
    }, 180_000);
    afterAll(async () => {
      await app?.close();
    });

    it('HumanEval: 164/164 canonical solutions pass', async () => {
      const pf = readProblemFile(readFileSync(HUMANEVAL_PATH), HUMANEVAL_PATH);
      if (pf.kind !== 'human-eval') throw new Error('unexpected layout');
      const got = await verdicts(
        pf.problems.map((p) => ({
          prompt: p.prompt,
          completion: p.canonical_solution,
          test: p.test,
          entry_point: p.entry_point,
        })),
      );
      expect(got.filter((r) => r !== 'passed')).toEqual([]);
      expect(got).toHaveLength(164);
    }, 300_000);

    it('after each adversarial sample, canonical solutions pass and wrong ones fail', async () => {
      for (const attack of ADVERSARIAL) {
        const a = attack.problem;
        await verdicts(
          [{ prompt: a.prompt, completion: attack.completion, test: a.test, entry_point: a.entry_point }],
          2000,
        );
        const probes = PROBES.flatMap((p) =>
          [p.right, p.wrong].map((completion) => ({
            prompt: p.problem.prompt,
            completion,
            test: p.problem.test,
            entry_point: p.problem.entry_point,
          })),
        );
        const got = await verdicts(probes);
        for (let i = 0; i < PROBES.length; i++) {
          expect(got[2 * i], `${attack.name} → ${PROBES[i].name} canonical`).toBe('passed');
          expect(got[2 * i + 1], `${attack.name} → ${PROBES[i].name} wrong`).not.toBe('passed');
        }
      }
    }, 300_000);

    it.skipIf(!existsSync(PLUS))(
      'HumanEval+: canonical solutions pass base and plus (every 20th task)',
      async () => {
        const pf = readProblemFile(readFileSync(PLUS), PLUS);
        if (pf.kind !== 'evalplus') throw new Error('unexpected layout');
        const chosen = pf.problems
          .filter((_, i) => i % 20 === 0)
          .map((p) => ({ raw: p.raw, solution: p.prompt + p.canonical_solution }));
        const statuses = await page.evaluate(async (chosen) => {
          type Out = { status: string; value?: Record<string, unknown> };
          const pool = (
            window as unknown as { __rcCheckPool: { check(k: string, p: object, o: object): Promise<Out> } }
          ).__rcCheckPool;
          return Promise.all(
            chosen.map(async (c) => {
              const truth = await pool.check('evalplus-truth', { problem: c.raw }, { timeoutMs: 300_000 });
              const v = truth.value as { base_time: number[]; plus_time: number[] };
              const part = async (name: 'base' | 'plus') => {
                const r = await pool.check(
                  'evalplus',
                  { problem: c.raw, times: v[`${name}_time`], part: name, solution: c.solution },
                  { timeoutMs: 120_000 },
                );
                return r.status === 'ok' ? String(r.value?.status) : r.status;
              };
              return [await part('base'), await part('plus')];
            }),
          );
        }, chosen);
        expect(statuses).toEqual(chosen.map(() => ['pass', 'pass']));
      },
      600_000,
    );

    it('the panel scores a samples file and shows the table and pass@k', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'rc-score-'));
      const problems = [
        {
          task_id: 'Toy/0',
          prompt: 'def double(x):\n',
          canonical_solution: '    return 2 * x\n',
          test: 'def check(c):\n    assert c(3) == 6\n',
          entry_point: 'double',
        },
        {
          task_id: 'Toy/1',
          prompt: 'def neg(x):\n',
          canonical_solution: '    return -x\n',
          test: 'def check(c):\n    assert c(3) == -3\n',
          entry_point: 'neg',
        },
      ];
      writeFileSync(join(dir, 'problems.jsonl'), problems.map((p) => JSON.stringify(p)).join('\n') + '\n');
      writeFileSync(
        join(dir, 'samples.jsonl'),
        [
          '{"task_id": "Toy/0", "completion": "    return 2 * x\\n"}',
          '{"task_id": "Toy/1", "completion": "    return x\\n"}',
        ].join('\n') + '\n',
      );
      await page.locator('[data-testid=score-problems]').setInputFiles(join(dir, 'problems.jsonl'));
      await page.locator('[data-testid=score-samples]').setInputFiles(join(dir, 'samples.jsonl'));
      await page.locator('[data-testid=score-run]').click();
      await expect
        .poll(() => page.locator('[data-testid=score-passk]').textContent(), { timeout: 60_000 })
        .toMatch(/pass@1 0\.5000/);
      expect(await page.locator('[data-testid=score-verdict]').allTextContents()).toEqual(
        expect.arrayContaining(['passed', 'failed: ']),
      );
    }, 120_000);
  },
);
