import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { nextTokenCrossEntropy } from '../../../src/core/model/loss.ts';
import { Rng } from '../../../src/core/rng.ts';

describe('nextTokenCrossEntropy', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('is the token mean over masked targets, each predicted by the previous position', async () => {
    const [B, T, V] = [2, 5, 7];
    const rng = new Rng(4);
    const logits = Array.from({ length: B * T * V }, () => rng.normal() * 2);
    const ids = [3, 1, 6, 0, 2, 5, 5, 4, 1, 6];
    const mask = [1, 1, 0, 1, 0, 0, 1, 1, 0, 1]; // mask[b, 0] must be ignored (nothing predicts it)
    let sum = 0;
    let count = 0;
    for (let b = 0; b < B; b++) {
      for (let i = 1; i < T; i++) {
        if (!mask[b * T + i]) continue;
        const row = logits.slice((b * T + i - 1) * V, (b * T + i) * V);
        const max = Math.max(...row);
        const lse = max + Math.log(row.reduce((a, x) => a + Math.exp(x - max), 0));
        sum += lse - row[ids[b * T + i]];
        count++;
      }
    }
    const loss = nextTokenCrossEntropy(
      tf.tensor3d(logits, [B, T, V]),
      tf.tensor2d(ids, [B, T], 'int32'),
      tf.tensor2d(mask, [B, T]),
    );
    expect((await loss.data())[0]).toBeCloseTo(sum / count, 5);
  });

  it('returns 0, not NaN, when nothing is a target, and names a shape mismatch', async () => {
    const loss = nextTokenCrossEntropy(
      tf.zeros([1, 3, 4]) as tf.Tensor3D,
      tf.tensor2d([[1, 2, 3]], [1, 3], 'int32'),
      tf.zeros([1, 3]) as tf.Tensor2D,
    );
    expect((await loss.data())[0]).toBe(0);
    expect(() =>
      nextTokenCrossEntropy(
        tf.zeros([1, 3, 4]) as tf.Tensor3D,
        tf.tensor2d([[1, 2]], [1, 2], 'int32'),
        tf.zeros([1, 3]) as tf.Tensor2D,
      ),
    ).toThrow(/inputIds: expected \[1, 3\]/);
  });
});
