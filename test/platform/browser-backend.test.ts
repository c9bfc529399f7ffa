/**
 * The browser backend rules, run in Node where there is no navigator.gpu: the fallback chain
 * and the reasons the status bar shows. (WebGPU present: test/browser/shell.test.ts.)
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { backendOrder, selectBackend, type AdapterProbe } from '../../src/platform/browser/backend.ts';
import { wasmDir } from '../../src/platform/node/backend.ts';

const hardware: AdapterProbe = { found: true, info: { description: 'nvidia / ampere', isFallbackAdapter: false } };
const swiftshader: AdapterProbe = {
  found: true,
  info: { description: 'google / swiftshader', isFallbackAdapter: true },
};
const none: AdapterProbe = { found: false, why: 'requestAdapter() returned no adapter' };

describe('backendOrder', () => {
  it('auto: WebGPU only on a hardware adapter; wasm before cpu otherwise', () => {
    expect(backendOrder('auto', hardware)).toEqual(['webgpu', 'wasm', 'cpu']);
    expect(backendOrder('auto', swiftshader)).toEqual(['wasm', 'cpu']);
    expect(backendOrder('auto', none)).toEqual(['wasm', 'cpu']);
  });

  it('an explicit preference is tried first, even on a fallback adapter', () => {
    expect(backendOrder('webgpu', swiftshader)).toEqual(['webgpu', 'wasm', 'cpu']);
    expect(backendOrder('wasm', hardware)).toEqual(['wasm', 'cpu']);
    expect(backendOrder('cpu', hardware)).toEqual(['cpu']);
  });
});

describe('selectBackend without WebGPU', () => {
  const opts = { wasmPrefix: wasmDir() };

  it('auto falls back to wasm and says why', async () => {
    const c = await selectBackend('auto', opts);
    expect(c).toEqual({
      backend: 'wasm',
      reason: 'auto: no WebGPU adapter (navigator.gpu is missing (WebGPU unsupported or disabled)); using wasm',
      threads: 1,
    });
    expect(tf.getBackend()).toBe('wasm');
  });

  it('webgpu requested but unavailable: wasm, with the failure in the reason', async () => {
    const c = await selectBackend('webgpu', opts);
    expect(c.backend).toBe('wasm');
    expect(c.reason).toBe(
      'webgpu requested but could not start; using wasm (webgpu unavailable: navigator.gpu is missing (WebGPU unsupported or disabled))',
    );
  });

  it('cpu requested: cpu', async () => {
    expect(await selectBackend('cpu', opts)).toEqual({ backend: 'cpu', reason: 'cpu requested' });
    expect(tf.getBackend()).toBe('cpu');
  });
});
