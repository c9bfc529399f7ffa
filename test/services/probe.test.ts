import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { disposeNodeBackends, selectNodeBackend } from '../../src/platform/node/backend.ts';
import { createProbeService, matmulAgainstCpu } from '../../src/services/probe.ts';

afterAll(disposeNodeBackends);

describe('matmulAgainstCpu', () => {
  it('agrees with cpu on wasm, restores the active backend and leaks no tensor', async () => {
    await selectNodeBackend('wasm');
    const before = tf.memory().numTensors;
    const r = await matmulAgainstCpu(64, 3);
    expect(r.backend).toBe('wasm');
    expect(r.n).toBe(64);
    expect(r.maxAbsDiff).toBeLessThan(1e-4);
    expect(r.maxAbsDiff).toBeGreaterThanOrEqual(0);
    expect(r.ms).toBeGreaterThan(0);
    expect(tf.getBackend()).toBe('wasm');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('is exact on cpu against itself', async () => {
    await selectNodeBackend('cpu');
    expect((await matmulAgainstCpu(16, 1)).maxAbsDiff).toBe(0);
  });

  it('rejects sizes outside 1..2048 with a UsageError', async () => {
    for (const n of [0, -1, 2.5, 4096, Number.NaN]) {
      await expect(matmulAgainstCpu(n)).rejects.toMatchObject({
        name: 'UsageError',
        message: expect.stringContaining('1..2048'),
      });
    }
  });
});

describe('createProbeService', () => {
  it('probes with the given selector and checks on the selected backend', async () => {
    const prefs: string[] = [];
    const probe = createProbeService((pref) => {
      prefs.push(pref);
      return selectNodeBackend(pref);
    });
    expect(await probe.probe('wasm')).toMatchObject({ backend: 'wasm' });
    expect((await probe.matmulCheck(32)).backend).toBe('wasm');
    expect(prefs).toEqual(['wasm']);
  });

  it('selects `auto` first when asked to check before any probe', async () => {
    const prefs: string[] = [];
    const probe = createProbeService((pref) => {
      prefs.push(pref);
      return selectNodeBackend(pref);
    });
    await probe.matmulCheck(8);
    expect(prefs).toEqual(['auto']);
  });
});
