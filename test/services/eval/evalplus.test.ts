/**
 * EvalPlus checks in the Pyodide sandbox against the released data (../shared/data, not in the repo):
 * canonical solutions pass base and plus (HumanEval+ native, MBPP+), the OriginFmt tests (which use numpy)
 * pass with the pure-Python allclose, special oracles (find_zero, set equality, not-None), wrong programs fail,
 * and a completion that imports numpy fails with the reason. A spread of tasks keeps it to about a minute;
 * `npm run bench -- eval` runs all of HumanEval+.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HumanEvalProblem } from '../../../src/api/eval.ts';
import { readProblemFile, type EvalPlusProblem } from '../../../src/core/eval/problem-file.ts';
import { createNodeCheckPool } from '../../../src/cli/python-node.ts';
import { EvalPlusChecker } from '../../../src/services/eval/evalplus-check.ts';
import { checkHumanEval } from '../../../src/services/eval/human-eval-check.ts';
import type { CheckPool } from '../../../src/services/eval/pool.ts';

const DATA = path.resolve(import.meta.dirname, '..', '..', '..', '..', 'shared', 'data');
const PLUS = path.join(DATA, 'HumanEvalPlus.jsonl.gz');
const ORIGIN = path.join(DATA, 'HumanEvalPlus-OriginFmt.jsonl.gz');
const MBPP = path.join(DATA, 'MbppPlus-pre-release.jsonl');
const HAS = existsSync(PLUS) && existsSync(ORIGIN) && existsSync(MBPP);
if (!HAS)
  console.warn(`evalplus tests skipped: ${DATA} lacks HumanEvalPlus / MbppPlus (third-party data, not in the repo)`);

function evalplus(file: string): EvalPlusProblem[] {
  const pf = readProblemFile(readFileSync(file), file);
  if (pf.kind !== 'evalplus') throw new Error(`${file}: expected the EvalPlus layout`);
  return pf.problems;
}

let pool: CheckPool;
beforeAll(async () => {
  if (!HAS) return;
  pool = createNodeCheckPool(2);
  await pool.start();
}, 120_000);
afterAll(() => pool?.dispose());

describe.skipIf(!HAS)('EvalPlus (HumanEval+ and MBPP+)', () => {
  it('HumanEval+ canonical solutions pass base and plus (every 12th task, find_zero included)', async () => {
    const problems = evalplus(PLUS).filter((p, i) => i % 12 === 0 || p.task_id === 'HumanEval/32');
    const checker = new EvalPlusChecker(pool);
    const verdicts = await Promise.all(
      problems.map(async (p) => [p.task_id, await checker.check(p, { completion: p.canonical_solution })] as const),
    );
    for (const [id, v] of verdicts) {
      // HumanEval/32 included: math.pow computes as glibc's does (glibc_pow.py), so Newton's method in the
      // canonical find_zero lands where it does under EvalPlus.
      expect({ id, base: v.base_status, plus: v.plus_status }).toEqual({ id, base: 'pass', plus: 'pass' });
    }
  }, 600_000);

  it('wrong programs fail', async () => {
    const problems = evalplus(PLUS);
    const checker = new EvalPlusChecker(pool);
    const p0 = problems.find((p) => p.task_id === 'HumanEval/0')!;
    expect((await checker.check(p0, { completion: '    return True\n' })).passed).toBe(false);
    const p32 = problems.find((p) => p.task_id === 'HumanEval/32')!;
    expect((await checker.check(p32, { completion: '    return 0.0\n' })).passed).toBe(false);
    const numpy = await checker.check(p0, { completion: '    import numpy as np\n    return False\n' });
    expect(numpy.passed).toBe(false);
  }, 300_000);

  it('MBPP+ canonical solutions pass (every 20th task and the special-oracle tasks)', async () => {
    const special = new Set(['Mbpp/2', 'Mbpp/7', 'Mbpp/111', 'Mbpp/295', 'Mbpp/581']);
    const problems = evalplus(MBPP).filter(
      (p, i) => i % 20 === 0 || special.has(p.task_id) || /check_str|text_match_three/.test(p.entry_point),
    );
    const checker = new EvalPlusChecker(pool);
    const verdicts = await Promise.all(
      problems.map(
        async (p) =>
          [p.task_id, await checker.check(p, { completion: '', solution: p.prompt + p.canonical_solution })] as const,
      ),
    );
    for (const [id, v] of verdicts)
      expect({ id, base: v.base_status, plus: v.plus_status }).toEqual({ id, base: 'pass', plus: 'pass' });
  }, 600_000);

  it('OriginFmt: the tests compare with numpy.allclose (pure Python here); a completion importing numpy fails with the reason', async () => {
    const pf = readProblemFile(readFileSync(ORIGIN), ORIGIN);
    if (pf.kind !== 'human-eval') throw new Error('OriginFmt: expected the human-eval layout');
    // OriginFmt's own test for HumanEval/32 calls _poly(*candidate(*inp), inp), which fails for every float
    // answer (its canonical solution too) under the official harness as well: it is left out here.
    const chosen: HumanEvalProblem[] = pf.problems.filter((p, i) => i % 16 === 0 && p.task_id !== 'HumanEval/32');
    const results = await Promise.all(chosen.map((p) => checkHumanEval(pool, p, p.canonical_solution, 20_000)));
    expect(results.map((r) => r.result)).toEqual(chosen.map(() => 'passed'));
    const p32 = pf.problems.find((p) => p.task_id === 'HumanEval/32')!;
    expect((await checkHumanEval(pool, p32, p32.canonical_solution, 20_000)).result).toBe(
      'failed: Value after * must be an iterable, not float',
    );
    const r = await checkHumanEval(pool, chosen[0], '    import numpy\n    return False\n', 20_000);
    expect(r.result).toMatch(/^failed: No module named 'numpy': numpy is not available offline/);
  }, 600_000);
});
