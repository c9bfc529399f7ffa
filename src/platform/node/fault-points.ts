/**
 * Fault injection for the crash tests (test/faults/): with RCW_FAULT_KILL=<n>:<point> in the
 * environment, the process sends itself SIGKILL — uncatchable, no cleanup, exactly a crash or an
 * OOM kill — when the n-th checkpoint write of this process reaches <point>. Unset (always, outside
 * those tests), every call is one comparison.
 */
export const WRITE_POINTS = [
  'tmp-created',
  'safetensors-partial',
  'safetensors-written',
  'json-written',
  'meta-written',
  'prev-removed',
  'live-moved',
  'swapped',
] as const;
export type WritePoint = (typeof WRITE_POINTS)[number];

const spec = typeof process !== 'undefined' ? process.env.RCW_FAULT_KILL : undefined;
const [killWrite, killPoint] = spec ? [Number(spec.split(':')[0]), spec.split(':')[1]] : [NaN, ''];
let writes = 0;

/** Call at the start of each checkpoint write. */
export function beginWrite(): void {
  writes++;
}

/** Dies here if this is the configured write and point. */
export function faultPoint(point: WritePoint): void {
  if (writes === killWrite && point === killPoint) process.kill(process.pid, 'SIGKILL');
}
