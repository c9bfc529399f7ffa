/**
 * Glue that lets @genai-fi/nanogpt 1.3.0 (the peer trainer of `npm run bench -- peer`) train in Node on this
 * project's tfjs backends. Benchmark-only: nothing in src/ imports it.
 *
 * The peer ships its own bundled copy of tfjs-core. tfjs keeps its engine, kernel registry and tensor class on
 * globalThis (`_tfengine`, `_tfGlobals`), so once this project's tfjs is loaded the peer's copy shares them: same
 * backends, same tensors. Three things still break:
 * 1. At import the bundled copy installs its Node platform, whose constructor calls `new util.TextEncoder()` on a
 *    Vite-stubbed `util` (an empty object) and throws. IS_NODE is switched off for the import so that step is
 *    skipped, and the platform this project's tfjs installed stays in place.
 * 2. Its custom kernels (Rope, RMSNorm, QKV, AttentionMask, FusedSoftmax, MatMulGelu, AdamMoments, …) are
 *    registered for cpu, webgl and webgpu only. Their cpu versions are compositions of tfjs ops, so the same
 *    kernel functions are registered for wasm (every kernel name the peer added to cpu that wasm lacks).
 * 3. tfjs-backend-wasm has no UnsortedSegmentSum, which the gradient of the peer's embedding gather needs: it is
 *    registered for wasm as a one-hot matmul (sum over rows with the same segment id).
 */
import * as tf from '@tensorflow/tfjs';

/** The parts of the peer's package the benchmark uses (typed loosely: it is reached by file path). */
export interface PeerModule {
  models: { NanoGPTV2: new (config: Record<string, unknown>) => PeerModel };
}
export interface PeerModel {
  getNumParams(): number;
  dispose(): void;
}
export interface PeerTrainer {
  trainStep(state: Record<string, unknown>, batch: { xs: tf.Tensor; ys: tf.Tensor }): tf.Scalar;
  dispose(): void;
}
export type PeerTrainerClass = new (model: PeerModel, tokenizer: unknown, opt: Record<string, unknown>) => PeerTrainer;

/** UnsortedSegmentSum as ops: out[s] = Σ data[i] over i with segmentIds[i] = s (one-hot matmul). */
function unsortedSegmentSum(args: { inputs: tf.NamedTensorMap; attrs?: unknown }): tf.TensorInfo {
  const { x, segmentIds } = args.inputs as { x: tf.Tensor; segmentIds: tf.Tensor };
  const { numSegments } = args.attrs as { numSegments: number };
  return tf.tidy(() => {
    const ids = tf.reshape(tf.cast(segmentIds, 'int32'), [-1]);
    const n = ids.shape[0];
    const rest = x.shape.slice(segmentIds.rank);
    const rows = tf.reshape(x, [n, -1]);
    const oneHotT = tf.transpose(tf.oneHot(ids, numSegments, 1, 0, 'float32')); // [S, N]
    return tf.reshape(tf.matMul(oneHotT, rows), [numSegments, ...rest]);
  });
}

/** RMSNorm without a gain (the peer's v2 blocks), as its webgl kernel computes it: x · rsqrt(mean(x²) + 1e-8). */
function rmsNormNoGamma(args: { inputs: tf.NamedTensorMap }): tf.TensorInfo {
  const { x } = args.inputs;
  return tf.tidy(() => tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), 1e-8))));
}

/**
 * RMSNormGrad with or without a gain (the peer's cpu version needs the gain): [dx] or [dx, dgamma], the peer's
 * formula with gamma = 1 when absent.
 */
function rmsNormGrad(args: { inputs: tf.NamedTensorMap }): tf.TensorInfo[] {
  const { dy, x, gamma } = args.inputs;
  return tf.tidy(() => {
    const d = x.shape[x.rank - 1]!;
    const ms = tf.add(tf.mean(tf.square(x), -1, true), 1e-8);
    const inv = tf.rsqrt(ms);
    const g = gamma ? tf.mul(dy, gamma) : dy;
    const proj = tf.div(tf.sum(tf.mul(g, x), -1, true), d);
    const dx = tf.sub(tf.mul(g, inv), tf.div(tf.mul(tf.mul(x, proj), inv), ms));
    if (!gamma) return [dx];
    return [dx, tf.sum(tf.mul(dy, tf.mul(x, inv)), [0, 1])];
  });
}

/** Kernels the peer has no op-composed (cpu) version of, or whose cpu version cannot serve its v2 model. */
const WASM_KERNELS: Record<string, (args: { inputs: tf.NamedTensorMap; attrs?: unknown }) => unknown> = {
  UnsortedSegmentSum: unsortedSegmentSum,
  RMSNormNoGamma: rmsNormNoGamma,
  RMSNormGrad: rmsNormGrad,
};

let loaded: Promise<{ peer: PeerModule; Trainer: PeerTrainerClass; kernels: string[] }> | null = null;

/**
 * Imports the peer once (after this project's tfjs) and registers its kernels for wasm. Returns the module, its
 * BasicTrainer class (not exported by the package's entry: reached by file path) and the kernel names copied.
 */
export function loadPeer() {
  loaded ??= (async () => {
    const before = new Set(tf.getKernelsForBackend('cpu').map((k) => k.kernelName));
    const env = tf.env();
    const wasNode = env.get('IS_NODE');
    env.set('IS_NODE', false);
    let peer: PeerModule;
    let Trainer: PeerTrainerClass;
    try {
      const base = new URL('../node_modules/@genai-fi/nanogpt/dist/', import.meta.url);
      peer = (await import(new URL('main.js', base).href)) as PeerModule;
      Trainer = ((await import(new URL('training/BasicTrainer.js', base).href)) as { default: PeerTrainerClass })
        .default;
    } finally {
      env.set('IS_NODE', wasNode);
    }
    const copied: string[] = [];
    for (const k of tf.getKernelsForBackend('cpu')) {
      if (before.has(k.kernelName) || tf.getKernel(k.kernelName, 'wasm')) continue;
      tf.registerKernel({ ...k, backendName: 'wasm' });
      copied.push(k.kernelName);
    }
    for (const [kernelName, fn] of Object.entries(WASM_KERNELS)) {
      if (tf.getKernel(kernelName, 'wasm')) tf.unregisterKernel(kernelName, 'wasm');
      tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: fn as unknown as tf.KernelFunc });
      if (!copied.includes(kernelName)) copied.push(kernelName);
    }
    return { peer, Trainer, kernels: copied.sort() };
  })();
  return loaded;
}
