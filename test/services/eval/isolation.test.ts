/**
 * Isolation as a guarantee: after any adversarial sample, the next check starts from the pristine snapshot.
 * Each attack is followed by canonical solutions (must pass) and wrong ones (must fail), on the same host.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HumanEvalProblem } from '../../../src/api/eval.ts';
import { createNodePython } from '../../../src/cli/python-node.ts';
import { checkHumanEval } from '../../../src/services/eval/human-eval-check.ts';
import type { PythonSupervisor } from '../../../src/services/python/supervisor.ts';
import { ADVERSARIAL, PROBES } from './adversarial.ts';

let py: PythonSupervisor;
beforeAll(async () => {
  py = createNodePython({ graceMs: 800, pristine: true });
  await py.start();
}, 120_000);
afterAll(() => py?.dispose());

async function verdictsAfter(attack: { problem: HumanEvalProblem; completion: string }) {
  await checkHumanEval(py, attack.problem, attack.completion, 2000);
  const out: string[] = [];
  for (const p of PROBES) {
    out.push((await checkHumanEval(py, p.problem, p.right)).result);
    out.push((await checkHumanEval(py, p.problem, p.wrong)).result);
  }
  return out;
}

describe('pristine interpreter for every check (memory snapshot)', () => {
  for (const attack of ADVERSARIAL) {
    it(`after: ${attack.name}`, async () => {
      const verdicts = await verdictsAfter(attack);
      for (let i = 0; i < PROBES.length; i++) {
        expect(verdicts[2 * i], `${PROBES[i].name} canonical`).toBe('passed');
        expect(verdicts[2 * i + 1], `${PROBES[i].name} wrong`).not.toBe('passed');
      }
    }, 60_000);
  }

  it('the attacks changed nothing: the same host answers, with few or no restarts', () => {
    // Files written into the file system are removed; only state that cannot be put back recycles a host.
    expect(py.starts).toBeLessThanOrEqual(3);
  });

  it('an exception message of 10 MB still gives a verdict (kept up to 1 M characters)', async () => {
    const p = PROBES[0].problem;
    const r = await checkHumanEval(py, p, '    raise ValueError("é" * 10_000_000)\n', 10_000);
    expect(r.result.startsWith('failed: ééé')).toBe(true);
    expect(r.result.length).toBeLessThan(1_100_000);
    expect((await checkHumanEval(py, p, PROBES[0].right)).result).toBe('passed');
  }, 60_000);
});
