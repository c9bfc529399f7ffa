/**
 * tfjs-backend-wasm's Identity kernel copies its input into new memory; the cpu backend's shares the data
 * (one more reference to the same buffer). tfjs calls Identity for every tensor it keeps for a backward pass
 * (engine.clone in saveTensorsForBackwardMode and in customGrad's save): on wasm a training step therefore
 * copied every saved activation, the [rows, T, T] attention probabilities included — ~650 copies per `mini`
 * step. Tensors are immutable (a Variable's assign swaps its data id), and wasm's own Reshape shares data the
 * same way, so sharing is safe. Strings keep the original kernel.
 */
import * as tf from '@tensorflow/tfjs';

let shared = false;

interface RefCountingBackend {
  incRef(dataId: unknown): void;
}

/** Registers the sharing Identity for wasm (once per process; the wasm kernels must be registered already). */
export function shareWasmIdentity(): void {
  if (shared) return;
  const original = tf.getKernel('Identity', 'wasm');
  if (!original) return;
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({
    kernelName: 'Identity',
    backendName: 'wasm',
    kernelFunc: (args) => {
      const x = args.inputs.x as tf.TensorInfo;
      if (x.dtype === 'string') return original.kernelFunc(args);
      (args.backend as unknown as RefCountingBackend).incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    },
  });
  shared = true;
}
