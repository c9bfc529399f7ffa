/**
 * Pretrained-model shapes on wasm: randomly initialised models of SmolLM2-135M's shape (and
 * Qwen2.5-0.5B's for LoRA) — one training step (forward + backward + AdamW) in LoRA and in full
 * fine-tuning mode, tokens/s, decode tokens/s with the KV cache, and peak tensor memory.
 * Loss: next-token cross-entropy on random ids (the step's cost is the model's, not the loss's).
 * Env: RCW_BENCH_SEQ (default 128), RCW_BENCH_QWEN=0 skips the 0.5B shape.
 */
import * as tf from '@tensorflow/tfjs';
import { configFromHF } from '../src/core/model/config.ts';
import { generate } from '../src/core/model/generate.ts';
import { LlamaModel } from '../src/core/model/llama.ts';
import { nextTokenCrossEntropy } from '../src/core/model/loss.ts';
import { LORA_TARGETS, LoraAdapter } from '../src/core/model/lora.ts';
import { AdamW } from '../src/core/train/adamw.ts';
import { checkBudget, estimateMemory, type MemoryMode } from '../src/core/model/budget.ts';
import { currentLimits } from '../src/services/trainer/finetune.ts';
import { disposeNodeBackends, selectNodeBackend } from '../src/platform/node/backend.ts';
import { HF_SHAPES } from '../test/fixtures/hf-shapes.ts';
import { matmulGflops, median } from './timing.ts';

const SHAPES = HF_SHAPES;

async function stepBench(
  model: LlamaModel,
  seq: number,
  reps: number,
): Promise<{ stepMs: number; tokensPerSec: number; trainable: number; peakTensorMB: number }> {
  const opt = new AdamW(model.trainable, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 });
  const ids = tf.tidy(() =>
    tf.cast(tf.mul(tf.randomUniform([1, seq], 0, 1, 'float32', 7), 1000), 'int32'),
  ) as tf.Tensor2D;
  const mask = tf.onesLike(ids);
  let peak = tf.memory().numBytes;
  const times: number[] = [];
  try {
    for (let i = 0; i <= reps; i++) {
      const t0 = performance.now();
      const { value, grads } = tf.variableGrads(
        () => nextTokenCrossEntropy(model.forward(ids), ids, mask),
        [...model.trainable.values()],
      );
      peak = Math.max(peak, tf.memory().numBytes);
      const byName = new Map([...model.trainable].map(([n, v]) => [n, grads[v.name]!]));
      opt.apply(byName, 1e-4);
      await value.data();
      tf.dispose([value, ...Object.values(grads)]);
      if (i > 0) times.push(performance.now() - t0); // the first is warm-up
    }
  } finally {
    tf.dispose([ids, mask]);
    opt.dispose();
  }
  const ms = median(times);
  return {
    stepMs: Math.round(ms),
    tokensPerSec: +((seq / ms) * 1000).toFixed(1),
    trainable: [...model.trainable.values()].reduce((s, v) => s + v.size, 0),
    peakTensorMB: Math.round(peak / 2 ** 20),
  };
}

async function decodeBench(model: LlamaModel): Promise<number> {
  const prompt = Array.from({ length: 16 }, (_, i) => 10 + i);
  await generate(model, prompt, { maxNewTokens: 2 });
  const t0 = performance.now();
  const out = await generate(model, prompt, { maxNewTokens: 24 });
  return +((out.length / (performance.now() - t0)) * 1000).toFixed(2);
}

export async function run(): Promise<object> {
  await selectNodeBackend('wasm');
  const seq = Number(process.env.RCW_BENCH_SEQ ?? 128);
  const results: Record<string, unknown> = {
    backend: 'wasm',
    seqLen: seq,
    batch: 1,
    matmul512GflopsSameRun: +(await matmulGflops(512, 3)).toFixed(2),
  };
  try {
    for (const [name, hf] of Object.entries(SHAPES)) {
      if (name.startsWith('Qwen') && process.env.RCW_BENCH_QWEN === '0') continue;
      const r: Record<string, unknown> = {};
      results[name] = r;
      let model: LlamaModel | null = null;
      try {
        // The resource guard first (budget.ts, as finetune runs it: 2 rows per record): what it refuses is
        // reported with its message instead of being attempted.
        const config = configFromHF(hf, { maxContext: 512 });
        const refusal = (mode: MemoryMode): string | null => {
          const lora = { rank: 8, targets: [...LORA_TARGETS] };
          try {
            const e = estimateMemory(config, { batch: mode === 'inference' ? 1 : 2, seqLen: seq, mode, lora });
            checkBudget(e, currentLimits(), `${mode} (${name}, T=${seq})`);
            return null;
          } catch (e) {
            return `refused: ${(e as Error).message}`;
          }
        };
        const refused = { inference: refusal('inference'), lora: refusal('lora'), full: refusal('full') };
        if (refused.inference || refused.lora) {
          Object.assign(r, refused);
          continue;
        }
        model = LlamaModel.init(config, 1);
        r.params = [...model.params.values()].reduce((s, v) => s + v.size, 0);
        r.weightsMB = Math.round(tf.memory().numBytes / 2 ** 20);
        r.decodeTokensPerSec = await decodeBench(model);
        const adapter = LoraAdapter.init(model.config, { rank: 8, alpha: 16, dropout: 0 }, 1);
        adapter.attach(model, { train: true });
        r.lora = await stepBench(model, seq, 2);
        LoraAdapter.detach(model);
        adapter.dispose();
        if (refused.full) r.full = refused.full;
        else {
          try {
            r.full = await stepBench(model, seq, 2);
          } catch (e) {
            r.full = `failed: ${(e as Error).message.slice(0, 200)} (weights + grads + 2 moments ≈ 2 GiB in float32: beyond what tfjs-wasm addresses)`;
          }
        }
      } catch (e) {
        r.error = (e as Error).message.slice(0, 300);
      } finally {
        model?.dispose();
      }
    }
  } finally {
    disposeNodeBackends();
  }
  return results;
}
