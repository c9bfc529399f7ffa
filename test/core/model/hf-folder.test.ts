import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CheckpointError, ConfigError } from '../../../src/core/errors.ts';
import { inspectHFFolder, loadHFFolder, memorySource, type LoadProgress } from '../../../src/core/model/hf-folder.ts';
import { parseSafetensors, writeSafetensors, type WritableTensor } from '../../../src/core/model/safetensors.ts';
import { selectNodeBackend } from '../../../src/platform/node/backend.ts';
import { qwenDir } from './qwen2-fixture.ts';

function fixtureFiles(): Map<string, Uint8Array> {
  const m = new Map<string, Uint8Array>();
  for (const f of readdirSync(qwenDir))
    if ((f.endsWith('.json') && f !== 'greedy.json') || f.startsWith('model'))
      m.set(f, new Uint8Array(readFileSync(path.join(qwenDir, f))));
  return m;
}
const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));
const dec = (b: Uint8Array) => JSON.parse(new TextDecoder().decode(b));

/** Every tensor of both shards, float32. */
function allTensors(files: Map<string, Uint8Array>): Map<string, WritableTensor> {
  const out = new Map<string, WritableTensor>();
  for (const [f, b] of files)
    if (f.endsWith('.safetensors'))
      for (const [n, t] of parseSafetensors(b)) out.set(n, { shape: t.shape, data: t.data });
  return out;
}

/** A safetensors file storing float32 values as F16 (values chosen exactly representable). */
function writeF16(tensors: Map<string, WritableTensor>): Uint8Array {
  const header: Record<string, unknown> = {};
  let off = 0;
  for (const [n, t] of tensors) {
    header[n] = { dtype: 'F16', shape: t.shape, data_offsets: [off, off + t.data.length * 2] };
    off += t.data.length * 2;
  }
  const h = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + off);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, h.length, true);
  out.set(h, 8);
  let p = 8 + h.length;
  for (const t of tensors.values())
    for (const v of t.data) {
      const f = Math.fround(v);
      // exact float32 → f16 for normal values with ≤ 10 mantissa bits (the test data is rounded so)
      const u = new Uint32Array(new Float32Array([f]).buffer)[0];
      const sign = (u >>> 16) & 0x8000;
      const exp = ((u >>> 23) & 0xff) - 127 + 15;
      const mant = (u >>> 13) & 0x3ff;
      dv.setUint16(p, f === 0 ? sign : sign | (exp << 10) | mant, true);
      p += 2;
    }
  return out;
}

describe('opening a Hugging Face model folder', () => {
  beforeAll(async () => {
    await selectNodeBackend('cpu');
  });

  it('loads bf16 shards with progress, and the same weights from one F32 file and from F16', async () => {
    const files = fixtureFiles();
    const progress: LoadProgress[] = [];
    const { model, plan } = await loadHFFolder(memorySource('tiny', files), { onProgress: (p) => progress.push(p) });
    expect(plan.config.arch).toBe('qwen2');
    expect(new Set(plan.tensors.map((t) => t.file)).size).toBe(2);
    expect(progress.length).toBe(plan.tensors.length);
    expect(progress.at(-1)!.loadedBytes).toBe(plan.totalBytes);
    expect(plan.tokenizerFiles).toEqual([]);
    const ids = tf.tensor2d([[3, 4, 5]], [1, 3], 'int32');
    const want = await model.forward(ids).data();

    const single = new Map([
      ['config.json', files.get('config.json')!],
      ['model.safetensors', writeSafetensors(allTensors(files))],
    ]);
    const m2 = (await loadHFFolder(memorySource('single', single))).model;
    expect(Array.from(await m2.forward(ids).data())).toEqual(Array.from(want));

    // F16: round every value to 10 mantissa bits (and tiny ones to 0) first so F16 holds it exactly.
    const rounded = allTensors(files);
    const bits = new Uint32Array(1);
    const fl = new Float32Array(bits.buffer);
    for (const t of rounded.values())
      for (let i = 0; i < t.data.length; i++) {
        fl[0] = Math.abs(t.data[i]) < 1e-4 ? 0 : t.data[i];
        bits[0] &= 0xffffe000;
        t.data[i] = fl[0];
      }
    const f32 = (
      await loadHFFolder(
        memorySource(
          'r32',
          new Map([
            ['config.json', files.get('config.json')!],
            ['model.safetensors', writeSafetensors(rounded)],
          ]),
        ),
      )
    ).model;
    const f16 = (
      await loadHFFolder(
        memorySource(
          'r16',
          new Map([
            ['config.json', files.get('config.json')!],
            ['model.safetensors', writeF16(rounded)],
          ]),
        ),
      )
    ).model;
    for (const [n, v] of f32.params)
      expect(Array.from(await f16.params.get(n)!.data()), n).toEqual(Array.from(await v.data()));
    for (const m of [model, m2, f32, f16]) m.dispose();
    ids.dispose();
  });

  it('refuses bad folders by name and leaves nothing allocated', async () => {
    const before = tf.memory().numTensors;
    const cases: [string, (m: Map<string, Uint8Array>) => void, RegExp, typeof ConfigError | typeof CheckpointError][] =
      [
        [
          'unknown architecture',
          (m) => m.set('config.json', enc({ ...dec(m.get('config.json')!), architectures: ['GPT2LMHeadModel'] })),
          /GPT2LMHeadModel/,
          ConfigError,
        ],
        ['no config', (m) => m.delete('config.json'), /no config\.json/, ConfigError],
        [
          'missing shard',
          (m) => m.delete('model-00002-of-00002.safetensors'),
          /missing shard file\(s\) model-00002-of-00002/,
          CheckpointError,
        ],
        [
          'index names an absent tensor',
          (m) => {
            const idx = dec(m.get('model.safetensors.index.json')!);
            idx.weight_map['model.norm.weight'] = 'model-00001-of-00002.safetensors';
            m.set('model.safetensors.index.json', enc(idx));
          },
          /names tensor model\.norm\.weight in model-00001-of-00002\.safetensors, but .* has no such tensor/,
          CheckpointError,
        ],
        [
          'config/weights mismatch',
          (m) => m.set('config.json', enc({ ...dec(m.get('config.json')!), intermediate_size: 48 })),
          /config\.json implies \[(48,32|32,48)\]/,
          CheckpointError,
        ],
        [
          'no weights',
          (m) => {
            for (const k of [...m.keys()]) if (k.startsWith('model')) m.delete(k);
          },
          /no model\.safetensors/,
          CheckpointError,
        ],
        [
          'NaN in the second shard',
          (m) => {
            const t = parseSafetensors(m.get('model-00002-of-00002.safetensors')!);
            const w = new Map<string, WritableTensor>([...t].map(([n, x]) => [n, { shape: x.shape, data: x.data }]));
            w.get('model.norm.weight')!.data[3] = NaN;
            m.set('model-00002-of-00002.safetensors', writeSafetensors(w));
          },
          /model\.norm\.weight holds NaN at element 3/,
          CheckpointError,
        ],
        [
          'Inf',
          (m) => {
            const t = parseSafetensors(m.get('model-00002-of-00002.safetensors')!);
            const w = new Map<string, WritableTensor>([...t].map(([n, x]) => [n, { shape: x.shape, data: x.data }]));
            w.get('model.layers.1.mlp.up_proj.weight')!.data[0] = -Infinity;
            m.set('model-00002-of-00002.safetensors', writeSafetensors(w));
          },
          /holds -Infinity/,
          CheckpointError,
        ],
        [
          'truncated shard',
          (m) =>
            m.set('model-00001-of-00002.safetensors', m.get('model-00001-of-00002.safetensors')!.subarray(0, 5000)),
          /truncated|data bytes/,
          CheckpointError,
        ],
      ];
    for (const [what, mutate, msg, cls] of cases) {
      const files = fixtureFiles();
      mutate(files);
      const err = await loadHFFolder(memorySource('bad', files)).then(
        () => null,
        (e: Error) => e,
      );
      expect(err, what).toBeInstanceOf(cls);
      expect(err!.message, what).toMatch(msg);
      expect(tf.memory().numTensors, what).toBe(before);
    }
  });

  it("refuses a model over the backend's limits before reading a weight, naming what to change", async () => {
    const before = tf.memory().numTensors;
    const limits = { totalBytes: 10_000, maxBufferBytes: 2 ** 30, source: 'test limit', hint: 'or use webgpu' };
    const err = await loadHFFolder(memorySource('tiny', fixtureFiles()), { limits }).then(
      () => null,
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.message).toMatch(
      /^opening tiny needs about [\d.]+ MiB \(weights .*\), over the limit of 0\.0 MiB \(test limit\)\. Use a smaller model, .*, or use webgpu\.$/,
    );
    expect(tf.memory().numTensors).toBe(before);
    const ok = await loadHFFolder(memorySource('tiny', fixtureFiles()), { limits: { ...limits, totalBytes: 2 ** 30 } });
    ok.model.dispose();
  });

  it('inspects without allocating any tensor', async () => {
    const before = tf.memory().numTensors;
    const plan = await inspectHFFolder(memorySource('tiny', fixtureFiles()));
    expect(plan.tensors.length).toBe(26);
    expect(plan.totalBytes).toBe(45632);
    expect(tf.memory().numTensors).toBe(before);
  });
});
