/**
 * SIGKILL during checkpoint writes (RCW_FAULT_KILL, src/platform/node/fault-points.ts): 20 kills at
 * seeded random points of the write, chained — each resume is killed again — then one last resume
 * to the end. After every kill the store (a copy, so the CLI still meets the leftovers) lists one
 * verified checkpoint at exactly the newest completed step; the final model equals an
 * uninterrupted run's byte for byte.
 */
import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileStore } from '../../src/platform/node/file-store.ts';
import { WRITE_POINTS } from '../../src/platform/node/fault-points.ts';
import { writeCliTrainInputs } from '../services/trainer/short-records.ts';
import { cliWithEnv, seeded } from './helpers.ts';

const KILLS = 20;
const STEPS = 64;
let dir = '';
let trainArgs: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rc-faults-kill-'));
  trainArgs = await writeCliTrainInputs(dir, 1);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const base = () => ['--backend', 'cpu', '--json'];
const fresh = () => [...trainArgs, '--steps', String(STEPS), '--seed', '5'];

describe('fault injection: SIGKILL during checkpoint writes', () => {
  it(`survives ${KILLS} kills at random points of a write; --resume ends byte-identical to an uninterrupted run`, async () => {
    const rand = seeded(12);
    const store = join(dir, 'store');
    let id: string | null = null;
    let lastStep = 0;
    const survived: string[] = [];
    const t0 = performance.now();
    let round: string[] = [];
    for (let i = 0; i < KILLS; i++) {
      // Every point is hit (a seeded shuffle per round of 8); the write (2nd or 3rd of this process) is random.
      if (!round.length)
        round = [...WRITE_POINTS]
          .map((p) => [rand(), p] as const)
          .sort((x, y) => x[0] - y[0])
          .map(([, p]) => p);
      const point = round.pop() as (typeof WRITE_POINTS)[number];
      const write = 2 + Math.floor(rand() * 2);
      const args = id ? ['train', '--resume', id] : fresh();
      const r = await cliWithEnv([...args, '--out', store, ...base()], { RCW_FAULT_KILL: `${write}:${point}` });
      expect(r.signal, `kill ${i} (${write}:${point}) did not happen: ${r.stderr.slice(-400)}`).toBe('SIGKILL');

      // Inspect a copy: the CLI must meet the leftovers itself on the next resume.
      const copy = join(dir, `copy-${i}`);
      await cp(store, copy, { recursive: true });
      const s = new FileStore(copy);
      const list = await s.listCheckpoints();
      expect(list, `kill ${i}: no checkpoint listed`).toHaveLength(1);
      id = list[0]!.id;
      const got = await s.getCheckpoint(id); // every sha-256 checked
      // The newest completed step: the killed write's if its folder was complete (meta.json written).
      const complete = WRITE_POINTS.indexOf(point) >= WRITE_POINTS.indexOf('meta-written');
      const expected = lastStep + write - (complete ? 0 : 1);
      expect(got!.meta.step, `kill ${i} at write ${write}:${point}`).toBe(expected);
      expect(JSON.parse(got!.files.json).step).toBe(expected);
      // Leftovers are gone once the good state is installed.
      expect((await readdir(join(copy, 'checkpoints'))).sort()).toEqual([`.prev-${id}`, id].sort());
      await rm(copy, { recursive: true, force: true });
      survived.push(`${write}:${point}→step ${expected}`);
      lastStep = expected;
    }
    const last = await cliWithEnv(['train', '--resume', id!, '--out', store, ...base()]);
    expect(last.code, last.stderr).toBe(0);
    const ref = await cliWithEnv([...fresh(), '--out', join(dir, 'ref'), ...base()]);
    expect(ref.code, ref.stderr).toBe(0);
    const [a, b] = await Promise.all([
      readFile(join(store, 'model', 'model.safetensors')),
      readFile(join(dir, 'ref', 'model', 'model.safetensors')),
    ]);
    expect(a.equals(b), 'final model differs from the uninterrupted run').toBe(true);
    // Weights AND AdamW moments of the final checkpoints agree too.
    const refId = (await new FileStore(join(dir, 'ref')).listCheckpoints())[0]!.id;
    const [ca, cb] = await Promise.all([
      readFile(join(store, 'checkpoints', id!, 'checkpoint.safetensors')),
      readFile(join(dir, 'ref', 'checkpoints', refId, 'checkpoint.safetensors')),
    ]);
    expect(ca.equals(cb)).toBe(true);
    console.log(
      `[faults] ${survived.length}/${KILLS} SIGKILLs survived in ${((performance.now() - t0) / 1000).toFixed(0)} s: ${survived.join(', ')}`,
    );
  }, 900_000);
});
