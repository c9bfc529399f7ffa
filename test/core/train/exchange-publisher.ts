/**
 * Worker-thread side of exchange.test.ts: after a pause, publishes rows into the exchange it was given,
 * with the real TeacherExchange (workerData: the handle, the slot, the values).
 */
import { workerData } from 'node:worker_threads';
import { TeacherExchange, type ExchangeHandle, type TargetSlot } from '../../../src/core/train/exchange.ts';

const { handle, slot, values, delayMs } = workerData as {
  handle: ExchangeHandle;
  slot: TargetSlot;
  values: Float32Array;
  delayMs: number;
};
await new Promise((resolve) => setTimeout(resolve, delayMs));
new TeacherExchange(handle).publish(slot, values);
