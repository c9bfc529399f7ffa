/**
 * The page's IndexedDB stores (training data and checkpoints, evaluation runs, experiment cells) and the
 * storage operations the panels run on them. Panels reach storage only through this module.
 */
export { IdbStore } from '../platform/browser/store.ts';
export { EvalStore } from '../platform/browser/eval-store.ts';
export { IdbResultStore } from '../platform/browser/experiment-results.ts';
export { storageOps, type StorageOps } from '../services/trainer/local-store.ts';
