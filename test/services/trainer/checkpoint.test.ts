import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { parseSafetensors, writeSafetensors } from '../../../src/core/model/safetensors.ts';
import { MODEL_PRESETS } from '../../../src/core/model/config.ts';
import {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  checkpointToModelFiles,
  parseCheckpoint,
  serializeCheckpoint,
  type CheckpointJson,
} from '../../../src/services/trainer/checkpoint.ts';

const json = (over: Partial<CheckpointJson> = {}): CheckpointJson => ({
  format: CHECKPOINT_FORMAT,
  version: CHECKPOINT_VERSION,
  savedAt: '2026-01-01T00:00:00Z',
  name: 'n',
  runConfig: { preset: 'tiny' },
  modelConfig: MODEL_PRESETS.tiny!,
  tokenizer: { merges: [] },
  datasets: [],
  step: 3,
  totalSteps: 9,
  data: { cursor: 1 },
  optimizer: { step: 3 },
  metrics: [],
  elapsedSec: 1.5,
  ...over,
});

async function files() {
  const w = tf.tensor2d([
    [1, 2],
    [3, 4],
  ]);
  const m = tf.tensor2d([
    [0.1, 0.2],
    [0.3, 0.4],
  ]);
  const v = tf.tensor2d([
    [0.01, 0.02],
    [0.03, 0.04],
  ]);
  const out = await serializeCheckpoint(
    json(),
    new Map([['model.norm.weight', w]]),
    new Map([['model.norm.weight', { m, v }]]),
  );
  tf.dispose([w, m, v]);
  return out;
}

describe('checkpoint files', () => {
  it('round-trips weights, moments and the JSON state', async () => {
    const f = await files();
    const p = parseCheckpoint(f);
    expect(p.json.step).toBe(3);
    expect(Array.from(p.weights.get('model.norm.weight')!.data)).toEqual([1, 2, 3, 4]);
    expect(Array.from(p.moments.get('model.norm.weight')!.v.data)).toEqual(
      Array.from(new Float32Array([0.01, 0.02, 0.03, 0.04])),
    );
    // The model-only export has the weights and none of the optimizer tensors.
    const model = checkpointToModelFiles(f);
    expect([...parseSafetensors(model.safetensors).keys()]).toEqual(['model.norm.weight']);
    expect(JSON.parse(model.configJson).hidden_size).toBe(MODEL_PRESETS.tiny!.dim);
  });

  it('refuses foreign JSON, other versions, missing fields and unpaired moments', async () => {
    const f = await files();
    const bad = (j: unknown) => () => parseCheckpoint({ safetensors: f.safetensors, json: JSON.stringify(j) });
    expect(bad({ format: 'x' })).toThrow(/expected "format": "reflectioncoder-web\/checkpoint"/);
    expect(bad({ ...json(), version: 99 })).toThrow(/version 99 is not supported/);
    expect(bad({ ...json(), step: 'three' })).toThrow(/"step" must be a number/);
    const { tokenizer: _t, ...noTok } = json();
    expect(bad(noTok)).toThrow(/missing "tokenizer"/);
    expect(() => parseCheckpoint({ safetensors: f.safetensors, json: '{' })).toThrow(/not valid JSON/);
    const onlyM = writeSafetensors(
      new Map([
        ['model.norm.weight', { shape: [1], data: new Float32Array([1]) }],
        ['optimizer.m.model.norm.weight', { shape: [1], data: new Float32Array([0]) }],
      ]),
    );
    expect(() => parseCheckpoint({ safetensors: onlyM, json: f.json })).toThrow(
      /has no matching optimizer\.v\.model\.norm\.weight/,
    );
    const noMoments = writeSafetensors(new Map([['model.norm.weight', { shape: [1], data: new Float32Array([1]) }]]));
    expect(() => parseCheckpoint({ safetensors: noMoments, json: f.json })).toThrow(
      /taken steps but the file holds no optimizer moments/,
    );
    try {
      parseCheckpoint({ safetensors: noMoments, json: f.json });
    } catch (e) {
      expect((e as Error).name).toBe('CheckpointError');
    }
  });

  it('refuses non-finite weights or moments in an imported checkpoint', async () => {
    const f = await files();
    for (const [name, value] of [
      ['model.norm.weight', Infinity],
      ['optimizer.v.model.norm.weight', NaN],
    ] as const) {
      const all = parseSafetensors(f.safetensors);
      all.get(name)!.data[2] = value;
      const st = writeSafetensors(new Map([...all].map(([n, t]) => [n, { shape: t.shape, data: t.data }])));
      expect(() => parseCheckpoint({ safetensors: st, json: f.json })).toThrow(
        new RegExp(`${name.replace(/\./g, '\\.')} holds a non-finite value \\(${value}\\) at index 2`),
      );
    }
  });
});
