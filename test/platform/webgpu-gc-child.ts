/**
 * Child process of node-webgpu-gc.test.ts (run with --expose-gc): starts the webgpu backend, reads the device's
 * limits and disposes the Node backends — exactly what test/services/trainer/device-limits.test.ts does — then
 * forces garbage collection while the process lives on, as a vitest worker or a long CLI command does. Prints one
 * JSON line and must then exit by itself with code 0. (No kernel runs on the device: with work submitted, the crash
 * this guards against did not show.)
 */
import { disposeNodeBackends, selectNodeBackend } from '../../src/platform/node/backend.ts';
import { gpuLimits } from '../../src/services/trainer/device-limits.ts';

const c = await selectNodeBackend('webgpu');
const maxBufferSize = gpuLimits()?.maxBufferSize ?? 0;
disposeNodeBackends();
const gc = (globalThis as unknown as { gc: () => void }).gc;
for (let i = 0; i < 5; i++) {
  gc();
  await new Promise((r) => setTimeout(r, 100));
}
console.log(JSON.stringify({ backend: c.backend, limitsRead: maxBufferSize > 0 }));
