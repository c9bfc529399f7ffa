import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { embed, embedColumns } from '../../../src/core/model/ops.ts';
import { disposeNodeBackends, selectNodeBackend } from '../../../src/platform/node/backend.ts';

// The embedding's gradient adds every dy row into its id's row: repeated ids must sum, unused ids
// stay zero. Reference: a plain host loop.
const V = 9;
const D = 5;
const IDS = [3, 0, 3, 7, 3, 8, 0, 2];
const DY = Float32Array.from({ length: IDS.length * D }, (_, i) => Math.sin(1.7 * i) - 0.2);

function hostRows(): Float64Array {
  const want = new Float64Array(V * D);
  IDS.forEach((id, n) => {
    for (let d = 0; d < D; d++) want[id * D + d]! += DY[n * D + d]!;
  });
  return want;
}

afterAll(() => disposeNodeBackends());

describe.each(['cpu', 'wasm'] as const)('embedding gradient on %s', (backend) => {
  it('sums repeated ids into their rows (table [V, D]) and leaves unused rows zero', async () => {
    await selectNodeBackend(backend);
    const table = tf.randomNormal([V, D]) as tf.Tensor2D;
    const ids = tf.tensor1d(IDS, 'int32');
    const dy = tf.tensor2d(DY, [IDS.length, D]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(embed(t as tf.Tensor2D, ids), dy)))(table);
    expect(g.shape).toEqual([V, D]);
    const got = await g.data();
    const want = hostRows();
    for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i]!, 5);
    tf.dispose([table, ids, dy, g]);
  });

  it('gives the same rows, transposed, for a table stored as columns [D, V]', async () => {
    await selectNodeBackend(backend);
    const table = tf.randomNormal([D, V]) as tf.Tensor2D;
    const ids = tf.tensor1d(IDS, 'int32');
    const dy = tf.tensor2d(DY, [IDS.length, D]);
    const out = embedColumns(table, ids);
    const rows = await tf.gather(tf.transpose(table), ids).data();
    expect(Array.from(await out.data())).toEqual(Array.from(rows));
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(embedColumns(t as tf.Tensor2D, ids), dy)))(table);
    expect(g.shape).toEqual([D, V]);
    const got = await g.data();
    const want = hostRows();
    for (let v = 0; v < V; v++) for (let d = 0; d < D; d++) expect(got[d * V + v]).toBeCloseTo(want[v * D + d]!, 5);
    tf.dispose([table, ids, dy, out, g]);
  });
});
