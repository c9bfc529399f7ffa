/**
 * Opens a data-parallel replica (services/trainer/data-parallel.ts) in a Node worker thread.
 * RCW_DATA_PARALLEL=N trains from-scratch runs on N instances (this one + N−1 replicas); default 1.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ReplicaPort, ReplicaReply } from '../api/replica.ts';
import { replicaEndpoint } from '../platform/replica-endpoint.ts';
import { BackendError } from '../core/errors.ts';

/** Instances for data-parallel training in Node: RCW_DATA_PARALLEL, else 1 (none). */
export function nodeDataParallelWanted(): number {
  const env = process.env.RCW_DATA_PARALLEL;
  if (env === undefined || env === '') return 1;
  const n = Number(env);
  if (!Number.isInteger(n) || n < 1 || n > 64)
    throw new BackendError(`RCW_DATA_PARALLEL must be an integer in [1, 64], found "${env}"`);
  return n;
}

/**
 * The code of a worker thread (`new Worker(code, { eval: true })`) that runs the TypeScript module `entry`
 * (a file URL). Node 20 does not apply `--import` loaders (tsx's) to a worker's entry, so the worker is a
 * two-line script that registers tsx's loader and then imports the module.
 */
export function tsxWorkerCode(entry: string): string {
  // tsx's ESM API (require.resolve gives its CommonJS twin, whose register() cannot run from import()).
  const tsxApi = pathToFileURL(
    createRequire(import.meta.url)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  ).href;
  return `(async () => { (await import(${JSON.stringify(tsxApi)})).register(); await import(${JSON.stringify(entry)}); })()`;
}

/** A replica in a worker thread running replica-thread.ts; its wasm runs on one thread whatever RCW_WASM_THREADS says. */
export function openNodeReplica(): ReplicaPort {
  const code = tsxWorkerCode(new URL('./replica-thread.ts', import.meta.url).href);
  const worker = new Worker(code, { eval: true, execArgv: [], env: { ...process.env, RCW_WASM_THREADS: '1' } });
  const ep = replicaEndpoint(
    (msg, transfer) => worker.postMessage(msg, transfer),
    () => void worker.terminate(),
  );
  worker.on('message', (r: ReplicaReply) => ep.reply(r));
  worker.on('error', (e) => ep.fail(`the replica thread crashed: ${e.message}`));
  worker.on('exit', (code) => ep.fail(`the replica thread exited (code ${code})`));
  return ep.port;
}
