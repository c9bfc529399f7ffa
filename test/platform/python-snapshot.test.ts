/**
 * The evaluation hosts' base snapshot (src/platform/node/python-snapshot.ts): one host of a process makes it, the
 * others wait and start from it, later processes find it on disk; a host started from it is as pristine as one
 * started normally, and a damaged file only costs a normal start.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeCheckPool, createNodePython } from '../../src/cli/python-node.ts';
import { baseSnapshotFile, finishBaseSnapshot, planBaseSnapshot } from '../../src/platform/node/python-snapshot.ts';
import { nodeRunnerSource, pyodideDir } from '../../src/platform/node/python-node.ts';
import { checkHumanEval } from '../../src/services/eval/human-eval-check.ts';
import type { PythonSupervisor } from '../../src/services/python/supervisor.ts';
import { ADVERSARIAL, PROBES } from '../services/eval/adversarial.ts';

let dir: string;
const savedEnv = { ...process.env };
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'rcw-snapshot-'));
  process.env.RCW_PYTHON_SNAPSHOT_DIR = dir;
  delete process.env.RCW_PYTHON_SNAPSHOT;
});
afterAll(() => {
  process.env = savedEnv;
  rmSync(dir, { recursive: true, force: true });
});

describe('planning who makes the base snapshot', () => {
  it('one maker per file; hosts that start meanwhile wait and then load it', async () => {
    const file = path.join(dir, 'plan-a.snapshot');
    expect(await planBaseSnapshot(file)).toEqual({ kind: 'make', file });
    const waiter = planBaseSnapshot(file);
    finishBaseSnapshot(file, new Uint8Array([1, 2, 3, 4]));
    expect(await waiter).toEqual({ kind: 'load', file });
    expect([...readFileSync(file)]).toEqual([1, 2, 3, 4]);
    expect(await planBaseSnapshot(file)).toEqual({ kind: 'load', file });
  });

  it('a failed build sends the waiters to a normal start and lets the next host try again', async () => {
    const file = path.join(dir, 'plan-b.snapshot');
    expect((await planBaseSnapshot(file)).kind).toBe('make');
    const waiter = planBaseSnapshot(file);
    finishBaseSnapshot(file, null);
    expect(await waiter).toEqual({ kind: 'plain' });
    expect(existsSync(file)).toBe(false);
    expect((await planBaseSnapshot(file)).kind).toBe('make');
    finishBaseSnapshot(file, null);
  });

  it('the key follows the runner source; RCW_PYTHON_SNAPSHOT=off turns snapshots off', async () => {
    const hostCore = path.resolve('src/platform/python/host-core.mjs');
    const a = baseSnapshotFile(pyodideDir(), 'print(1)', hostCore);
    expect(a?.startsWith(dir)).toBe(true);
    expect(baseSnapshotFile(pyodideDir(), 'print(2)', hostCore)).not.toBe(a);
    process.env.RCW_PYTHON_SNAPSHOT = 'off';
    expect(baseSnapshotFile(pyodideDir(), 'print(1)', hostCore)).toBeNull();
    expect(await planBaseSnapshot(null)).toEqual({ kind: 'plain' });
    delete process.env.RCW_PYTHON_SNAPSHOT;
  });
});

async function probeVerdicts(py: PythonSupervisor): Promise<string[]> {
  const out: string[] = [];
  for (const p of PROBES) {
    out.push((await checkHumanEval(py, p.problem, p.right)).result);
    out.push((await checkHumanEval(py, p.problem, p.wrong)).result);
  }
  return out;
}

const expectPristine = (verdicts: string[]): void => {
  for (let i = 0; i < PROBES.length; i++) {
    expect(verdicts[2 * i], `${PROBES[i].name} canonical`).toBe('passed');
    expect(verdicts[2 * i + 1], `${PROBES[i].name} wrong`).not.toBe('passed');
  }
};

describe('hosts started from the base snapshot', () => {
  it('a pool makes it once; its other host and later hosts start from it and stay pristine', async () => {
    const pool = createNodeCheckPool(2);
    try {
      await pool.start();
      // Both hosts answer once the second has joined; one of them was started from the snapshot.
      await Promise.all([0, 1].map(() => checkHumanEval(pool, PROBES[0].problem, PROBES[0].right)));
      const members = pool.members as unknown as PythonSupervisor[];
      await Promise.all(members.map((m) => m.start()));
      expect(members.map((m) => m.startedFromBaseSnapshot).sort()).toEqual([false, true]);
    } finally {
      pool.dispose();
    }
    const py = createNodePython({ graceMs: 800, pristine: true });
    try {
      await py.start();
      expect(py.startedFromBaseSnapshot).toBe(true);
      for (const attack of ADVERSARIAL.slice(0, 4)) {
        await checkHumanEval(py, attack.problem, attack.completion, 2000);
        expectPristine(await probeVerdicts(py));
      }
      // numpy stays refused and sum() keeps 3.11's rounding: prepare_pristine ran on top of the snapshot.
      const r = await py.run('import numpy', { mode: 'isolated' });
      expect(r.error?.message).toMatch(/not available offline/);
      const s = await py.run('print(repr(sum([0.1] * 10)))', { mode: 'isolated' });
      expect(s.stdout.trim()).toBe('0.9999999999999999');
    } finally {
      py.dispose();
    }
  }, 180_000);

  it('a damaged snapshot file only costs a normal start', async () => {
    const probe = createNodePython({ pristine: true });
    try {
      await probe.start();
    } finally {
      probe.dispose();
    }
    const file = baseSnapshotFile(pyodideDir(), nodeRunnerSource(), path.resolve('src/platform/python/host-core.mjs'));
    expect(file && existsSync(file)).toBe(true);
    writeFileSync(file!, new Uint8Array(4096).fill(7));
    const py = createNodePython({ graceMs: 800, pristine: true });
    try {
      await py.start();
      expect(py.startedFromBaseSnapshot).toBe(false);
      expectPristine(await probeVerdicts(py));
    } finally {
      py.dispose();
    }
  }, 180_000);
});
