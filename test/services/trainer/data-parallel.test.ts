/**
 * Data-parallel training in Node (services/trainer/data-parallel.ts, cli/replica-port.ts):
 * the trainer service with replicas in real worker threads trains the same run as one instance
 * (every logged number equal up to float summation order), reports its workers, and when a replica
 * dies mid-run its shards are computed by the leader and the run finishes with the same numbers.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LOSS_WEIGHTS } from '../../../src/core/distill/loss.ts';
import type { TrainRow } from '../../../src/core/distill/rows.ts';
import { MODEL_PRESETS } from '../../../src/core/model/config.ts';
import { LlamaModel } from '../../../src/core/model/llama.ts';
import { stepHostBatches, WHOLE, type StepRows } from '../../../src/core/train/shard.ts';
import { localRunner, type GradientRunner } from '../../../src/core/train/step.ts';
import { DataParallelPool } from '../../../src/services/trainer/data-parallel.ts';
import type { TrainEvent, TrainProgress, TrainSummary } from '../../../src/api/trainer.ts';
import { selectNodeBackend } from '../../../src/platform/node/backend.ts';
import { openNodeReplica } from '../../../src/cli/replica-port.ts';
import type { ReplicaPort } from '../../../src/api/replica.ts';
import { TrainerService } from '../../../src/services/trainer/service.ts';
import { shortRecordsJsonl, tinyConfig } from './short-records.ts';
import { FileStore } from '../../../src/platform/node/file-store.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

async function train(instances: number, openReplica: () => ReplicaPort = openNodeReplica, runs = 1) {
  const dir = await mkdtemp(join(tmpdir(), 'rc-dp-'));
  try {
    const store = new FileStore(dir);
    const svc = new TrainerService({
      selectBackend: selectNodeBackend,
      yieldFn: () => new Promise((r) => setImmediate(r)),
      openStore: async () => store,
      dataParallel: { instances: () => instances, openReplica },
    });
    await svc.setBackend('wasm');
    const ds = await svc.importDataset('short.jsonl', shortRecordsJsonl());
    const out = [];
    for (let i = 0; i < runs; i++) {
      const progress: TrainProgress[] = [];
      const logs: string[] = [];
      const summary: TrainSummary = await svc.start(
        { datasets: [ds.id], config: tinyConfig({ maxSteps: 6, batchSize: 4 }), checkpoint: false },
        (e: TrainEvent) => {
          if (e.type === 'progress') progress.push(e.progress);
          if (e.type === 'log') logs.push(e.message);
        },
      );
      out.push({ progress, logs, summary });
    }
    svc.dispose();
    return out;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const close = (a: TrainProgress[], b: TrainProgress[]) => {
  expect(a.map((p) => p.step)).toEqual(b.map((p) => p.step));
  a.forEach((p, i) => {
    const q = b[i]!;
    for (const k of ['loss', 'ce_teacher', 'ce_student', 'kl', 'grad_norm'] as const) {
      expect(Math.abs(p[k] - q[k]), `step ${p.step} ${k}: ${p[k]} vs ${q[k]}`).toBeLessThan(
        1e-4 * Math.max(1, Math.abs(q[k])),
      );
    }
  });
};

describe('data-parallel training (wasm, worker threads)', () => {
  it('2 and 3 instances train the same run as one, and say so', async () => {
    const [one] = await train(1);
    expect(one!.summary.workers).toBe(1);
    const [two] = await train(2);
    expect(two!.summary.workers).toBe(2);
    expect(
      two!.logs.some((l) =>
        /Data-parallel training on 2 wasm workers .*split pairs pass their KL targets in shared memory/.test(l),
      ),
    ).toBe(true);
    close(two!.progress, one!.progress);
    const [three] = await train(3);
    expect(three!.summary.workers).toBe(3);
    close(three!.progress, one!.progress);
  }, 120_000);

  it('the replicas serve run after run: the second run opens none and trains the same numbers', async () => {
    const [one] = await train(1);
    let opened = 0;
    const counting = (): ReplicaPort => {
      opened++;
      return openNodeReplica();
    };
    const runs = await train(2, counting, 2);
    expect(opened).toBe(1);
    for (const r of runs) {
      expect(r.summary.workers).toBe(2);
      close(r.progress, one!.progress);
    }
  }, 120_000);

  it('a replica that dies mid-run: its shards are computed here, the run finishes with the same numbers', async () => {
    const [one] = await train(1);
    let requests = 0;
    const dying = (): ReplicaPort => {
      const inner = openNodeReplica();
      return {
        post: (msg, transfer) => {
          if (msg.type === 'grads' && ++requests === 3) inner.terminate(); // the thread is gone before step 3
          inner.post(msg, transfer);
        },
        onReply: (l) => inner.onReply(l),
        terminate: () => inner.terminate(),
      };
    };
    const [r] = await train(2, dying);
    expect(
      r!.logs.some((l) =>
        /a data-parallel replica failed \(the replica was closed\); training continues on this worker alone/.test(l),
      ),
    ).toBe(true);
    expect(r!.summary.workers).toBe(1);
    expect(r!.summary.steps).toBe(6);
    close(r!.progress, one!.progress);
  }, 120_000);

  it('split pairs hand their KL targets over in shared memory between threads: the same step as one instance', async () => {
    await selectNodeBackend('wasm');
    const model = LlamaModel.init(MODEL_PRESETS.tiny!, 3);
    // (teacher, student) rows of the same tokens; the student hides a block of keys, so the KL is not zero.
    const pair = (n: number, seed: number) => {
      const base = (kind: TrainRow['kind']): TrainRow => ({
        kind,
        ids: Array.from({ length: n }, (_, i) => 1 + ((i * 7 + seed) % 90)),
        positions: Array.from({ length: n }, (_, i) => i),
        keyVisible: Array.from({ length: n }, (_, i) => kind === 'teacher' || i < 5 || i >= n / 2),
        targets: Array.from({ length: n }, (_, i) => (kind === 'teacher' ? i > 0 : i >= n - 12)),
      });
      return { teacher: base('teacher'), student: base('student') };
    };
    const rows: StepRows = { pairs: [pair(120, 1), pair(80, 2)], others: [] };
    const hosts = stepHostBatches(
      [rows],
      { instances: 2, subBatches: true, attentionTokens: 772, overheadTokens: 0, teacherExchange: true },
      0,
      'official',
    );
    expect(hosts.flat().filter((h) => h.teacherSlots).length, 'the plan splits the pairs').toBeGreaterThan(0);
    const pool = DataParallelPool.open([openNodeReplica()]);
    const run: { model: LlamaModel; runner: GradientRunner } = { model, runner: localRunner };
    try {
      expect(await pool.attach(run, (m) => expect.fail(m))).toBe(true);
      expect(pool.sharesMemory).toBe(true);
      const split = await pool.run(model, hosts, DEFAULT_LOSS_WEIGHTS, 0);
      expect(pool.exchangedSteps).toBe(1);
      const whole = await localRunner.run(
        model,
        stepHostBatches([rows], WHOLE, 0, 'official'),
        DEFAULT_LOSS_WEIGHTS,
        0,
      );
      const [a, b] = [await split.parts.data(), await whole.parts.data()];
      expect(b[3]!, 'a KL term to hand over').toBeGreaterThan(1e-4);
      a.forEach((v, i) => expect(Math.abs(v - b[i]!), `part ${i}`).toBeLessThan(1e-5 * Math.max(1, Math.abs(b[i]!))));
      for (const [name, g] of whole.grads) {
        const [x, y] = [await split.grads.get(name)!.data(), await g.data()];
        let num = 0;
        let den = 0;
        y.forEach((v, i) => {
          num += (x[i]! - v) ** 2;
          den += v * v;
        });
        expect(Math.sqrt(num / Math.max(den, 1e-30)), name).toBeLessThan(1e-4);
      }
      tf.dispose([split.parts, whole.parts, ...split.grads.values(), ...whole.grads.values()]);
    } finally {
      pool.dispose();
      model.dispose();
    }
  }, 60_000);
});
