/**
 * Every benchmark `npm run bench` knows. A benchmark is `bench/<name>.ts` exporting
 * `async function run(): Promise<object>` (plain JSON, no assertions); add one line here.
 */
export interface BenchModule {
  run(): Promise<object>;
}

export const BENCHES: Record<string, () => Promise<BenchModule>> = {
  'browser-backends': () => import('./browser-backends.ts'),
  'bundle-size': () => import('./bundle-size.ts'),
  'cold-start': () => import('./cold-start.ts'),
  eval: () => import('./eval.ts'),
  gpu: () => import('./gpu.ts'),
  'loss-gather': () => import('./loss-gather.ts'),
  model: () => import('./model.ts'),
  pretrained: () => import('./pretrained.ts'),
  peer: () => import('./peer.ts'),
  profile: () => import('./profile.ts'),
  python: () => import('./python.ts'),
  threads: () => import('./threads.ts'),
  train: () => import('./train.ts'),
};
