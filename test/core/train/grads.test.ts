import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { accumulateGrads, clipByGlobalNorm, globalNorm } from '../../../src/core/train/grads.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const map = (a: number[], b: number[]) =>
  new Map<string, tf.Tensor>([
    ['a', tf.tensor1d(a)],
    ['b', tf.tensor1d(b)],
  ]);
const values = async (m: Map<string, tf.Tensor>) =>
  Object.fromEntries(await Promise.all([...m].map(async ([k, t]) => [k, Array.from(await t.data())] as const)));

describe('gradient helpers', () => {
  it('global norm over all tensors', async () => {
    const g = map([3], [4, 0]);
    const n = globalNorm(g);
    expect((await n.data())[0]).toBeCloseTo(5, 6);
    tf.dispose([n, ...g.values()]);
  });

  it('clips to maxNorm when above, leaves it when below, and frees its inputs', async () => {
    const before = tf.memory().numTensors;
    const big = clipByGlobalNorm(map([3], [4, 0]), 1);
    const v = await values(big.grads);
    expect(v.a![0]).toBeCloseTo(0.6, 5);
    expect(v.b![0]).toBeCloseTo(0.8, 5);
    expect((await big.norm.data())[0]).toBeCloseTo(5, 5);
    const small = clipByGlobalNorm(map([0.3], [0.4, 0]), 1);
    expect((await values(small.grads)).a![0]).toBeCloseTo(0.3, 6);
    tf.dispose([big.norm, small.norm, ...big.grads.values(), ...small.grads.values()]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('accumulates a scaled sum (mean of micro-batches) and frees its inputs', async () => {
    const before = tf.memory().numTensors;
    let acc = accumulateGrads(null, map([1], [2, 2]), 0.5);
    acc = accumulateGrads(acc, map([3], [0, 4]), 0.5);
    expect(await values(acc)).toEqual({ a: [2], b: [1, 3] });
    tf.dispose([...acc.values()]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
