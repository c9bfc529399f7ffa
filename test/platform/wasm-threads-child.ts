/** Child process of node-wasm-threads.test.ts: starts wasm as RCW_WASM_THREADS says, prints one JSON line. */
import * as tf from '@tensorflow/tfjs';
import { disposeNodeBackends, selectNodeBackend } from '../../src/platform/node/backend.ts';
const c = await selectNodeBackend('wasm');
const a = tf.randomNormal([64, 96], 0, 1, 'float32', 1);
const b = tf.randomNormal([96, 48], 0, 1, 'float32', 2);
const w = await tf.matMul(a, b).data();
await selectNodeBackend('cpu');
const p = await tf.matMul(a, b).data();
let d = 0;
for (let i = 0; i < w.length; i++) d = Math.max(d, Math.abs(w[i] - p[i]));
console.log(JSON.stringify({ threads: c.threads, reason: c.reason, maxDiff: d }));
disposeNodeBackends(); // the process must then exit by itself
