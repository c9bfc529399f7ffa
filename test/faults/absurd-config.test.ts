/**
 * Every size field, from every source, set to an absurd value: refused (ConfigError or
 * CheckpointError naming the field) within a second and under 500 MB of extra peak memory, through
 * the real entry points (loadModel, TrainerService.start, importCheckpoint, the CLI).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../src/core/model/load.ts';
import { writeSafetensors } from '../../src/core/model/safetensors.ts';
import { selectNodeBackend } from '../../src/platform/node/backend.ts';
import { FileStore } from '../../src/platform/node/file-store.ts';
import { TrainerService } from '../../src/services/trainer/service.ts';
import { repoRoot } from '../cli/run-cli.ts';
import { shortRecordsJsonl, tinyConfig } from '../services/trainer/short-records.ts';
import { TINY_HF_CONFIG } from '../core/model/fixture.ts';

const MB = 2 ** 20;
let dir = '';
let svc: TrainerService;
let goodCheckpoint: { safetensors: Uint8Array; json: string };

const HF = TINY_HF_CONFIG;
const tinySt = writeSafetensors(new Map([['model.norm.weight', { shape: [32], data: new Float32Array(32).fill(1) }]]));

function llama2c(
  f: Partial<Record<'dim' | 'hidden' | 'layers' | 'heads' | 'kv' | 'vocab' | 'seq', number>>,
): Uint8Array {
  const h = { dim: 64, hidden: 172, layers: 2, heads: 4, kv: 2, vocab: 512, seq: 256, ...f };
  const b = new Uint8Array(28 + 4096);
  const dv = new DataView(b.buffer);
  [h.dim, h.hidden, h.layers, h.heads, h.kv, h.vocab, h.seq].forEach((v, i) => dv.setInt32(i * 4, v, true));
  return b;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rc-faults-absurd-'));
  svc = new TrainerService({
    selectBackend: selectNodeBackend,
    yieldFn: () => new Promise((r) => setImmediate(r)),
    openStore: async () => new FileStore(join(dir, 'store')),
  });
  await svc.setBackend('cpu');
  const ds = (await svc.importDataset('short.jsonl', shortRecordsJsonl())).id;
  const s = await svc.start({ datasets: [ds], config: tinyConfig({ maxSteps: 1, batchSize: 1 }) }, () => {});
  goodCheckpoint = await svc.exportCheckpoint(s.checkpoint!.id);
});
afterAll(async () => {
  svc?.dispose();
  await rm(dir, { recursive: true, force: true });
});

type Case = [source: string, field: string, run: () => unknown];

const cases = (): Case[] => {
  const hf: Case[] = (
    [
      ['max_position_embeddings', 3e8],
      ['num_hidden_layers', 1e7],
      ['hidden_size', 1e9],
      ['intermediate_size', 1e9],
      ['vocab_size', 1e9],
      ['num_attention_heads', 1e7],
      ['num_key_value_heads', 1e7],
    ] as const
  ).map(([k, v]) => [
    'config.json',
    k,
    () => loadModel({ kind: 'hf', config: { ...HF, [k]: v }, safetensors: tinySt }),
  ]);
  const run: Case[] = (
    [
      ['model', 'nLayers', 1e6],
      ['model', 'maxSeqLen', 1e8],
      ['model', 'dim', 1e9],
      ['model', 'ffnDim', 1e9],
      ['model', 'nHeads', 1e6],
      ['model', 'nKvHeads', 1e6],
      ['', 'vocabSize', 1e9],
      ['train', 'batchSize', 1e9],
      ['train', 'maxLen', 1e9],
    ] as const
  ).map(([sec, k, v]) => {
    const base = tinyConfig() as Record<string, unknown>;
    const config = sec ? { ...base, [sec]: { ...(base[sec] as object), [k]: v } } : { ...base, [k]: v };
    return ['run config', k, () => svc.start({ datasets: ['builtin:demo'], config }, () => {})] as Case;
  });
  const l2c: Case[] = (
    [
      ['dim', 1e9],
      ['hidden', 1e9],
      ['layers', 1e6],
      ['heads', 1e6],
      ['kv', 1e6],
      ['vocab', 1e9],
      ['seq', 1e8],
    ] as const
  ).map(([k, v]) => ['llama2.c header', k, () => loadModel({ kind: 'llama2c', bin: llama2c({ [k]: v }) })]);
  const ck: Case[] = (
    [
      ['nLayers', 1e6],
      ['maxSeqLen', 1e8],
    ] as const
  ).map(([k, v]) => {
    const j = JSON.parse(goodCheckpoint.json);
    j.runConfig.model[k] = v;
    return [
      'imported checkpoint',
      k,
      () => svc.importCheckpoint({ safetensors: goodCheckpoint.safetensors, json: JSON.stringify(j) }),
    ] as Case;
  });
  return [...hf, ...run, ...l2c, ...ck];
};

describe('fault injection: absurd sizes', () => {
  it('refuses every absurd size field from every source within 1 s and under 500 MB', async () => {
    const rows: string[] = [];
    const peak0 = process.resourceUsage().maxRSS * 1024;
    let worst = 0;
    for (const [source, field, run] of cases()) {
      const t0 = performance.now();
      const err = await Promise.resolve()
        .then(run)
        .then(
          () => null,
          (e: Error) => e,
        );
      const ms = performance.now() - t0;
      worst = Math.max(worst, ms);
      expect(err, `${source} ${field} was accepted`).not.toBeNull();
      expect(err!.name, `${source} ${field}: ${err!.message}`).toMatch(/^(ConfigError|CheckpointError)$/);
      expect(err!.message, `${source} ${field}`).toMatch(
        new RegExp(
          field === 'layers'
            ? 'nLayers'
            : field === 'hidden'
              ? 'ffnDim'
              : field === 'heads'
                ? 'nHeads'
                : field === 'kv'
                  ? 'nKvHeads'
                  : field === 'vocab'
                    ? 'vocabSize'
                    : field === 'seq'
                      ? 'maxSeqLen'
                      : field,
        ),
      );
      expect(ms, `${source} ${field}`).toBeLessThan(1000);
      rows.push(`${source} ${field} ${ms.toFixed(1)} ms`);
    }
    const extra = process.resourceUsage().maxRSS * 1024 - peak0;
    expect(extra).toBeLessThan(500 * MB);
    console.log(
      `[faults] ${rows.length} absurd fields refused; worst ${worst.toFixed(1)} ms; extra peak RSS ${(extra / MB).toFixed(0)} MB: ${rows.join('; ')}`,
    );
  });

  it('the CLI refuses them too, with a small peak RSS (train --config, generate --model)', async () => {
    await writeFile(join(dir, 'layers.json'), JSON.stringify({ preset: 'tiny', model: { nLayers: 1e6 } }));
    await writeFile(join(dir, 'seq.json'), JSON.stringify({ preset: 'tiny', model: { maxSeqLen: 1e8 } }));
    const model = join(dir, 'model');
    await rm(model, { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(model));
    await writeFile(join(model, 'config.json'), JSON.stringify({ ...HF, max_position_embeddings: 3e8 }));
    await writeFile(join(model, 'model.safetensors'), tinySt);
    const runs: [string[], RegExp][] = [
      [['train', '--config', join(dir, 'layers.json'), '--backend', 'cpu'], /nLayers = 1000000/],
      [['train', '--config', join(dir, 'seq.json'), '--backend', 'cpu'], /maxSeqLen = 100000000/],
      [['generate', '--model', model, '--backend', 'cpu'], /max_position_embeddings = 300000000/],
    ];
    const rows: string[] = [];
    for (const [args, want] of runs) {
      const r = await timed(args);
      expect(r.code, r.stderr).not.toBe(0);
      expect(r.stderr).toMatch(want);
      expect(r.maxRssKb * 1024).toBeLessThan(500 * MB);
      rows.push(
        `${args[0]} ${want.source.split(' ')[0]}: exit ${r.code}, ${r.seconds.toFixed(1)} s wall incl. startup, peak RSS ${(r.maxRssKb / 1024).toFixed(0)} MB`,
      );
    }
    console.log(`[faults] CLI refusals: ${rows.join('; ')}`);
  }, 180_000);
});

/** The CLI under /usr/bin/time: exit code, stderr, peak RSS (kB) and wall seconds. */
function timed(args: string[]): Promise<{ code: number | null; stderr: string; maxRssKb: number; seconds: number }> {
  return new Promise((res, rej) => {
    const p = spawn(
      '/usr/bin/time',
      ['-f', 'RCW_TIME %M %e', process.execPath, '--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), ...args],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    p.stderr.on('data', (d) => (stderr += d));
    p.on('error', rej);
    p.on('close', (code) => {
      const m = /RCW_TIME (\d+) ([\d.]+)/.exec(stderr);
      res({ code, stderr, maxRssKb: m ? Number(m[1]) : Infinity, seconds: m ? Number(m[2]) : NaN });
    });
  });
}
