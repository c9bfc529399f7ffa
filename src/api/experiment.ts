/**
 * The reduced Table 2 experiment: the plain-data result of one cell (variant × seed) and the store that keeps
 * finished cells, shared by the experiment service, the platform stores (IndexedDB, results folder) and the UI.
 */

export interface SplitScore {
  passed: number;
  total: number;
  /** passed / total (greedy, one sample per task). */
  passAt1: number;
  /** Task keys that passed. */
  passedKeys: string[];
}

export interface CellResult {
  variant: string;
  seed: number;
  steps: number;
  seen: SplitScore;
  unseen: SplitScore;
  /** Mean next-token cross-entropy (nats/token) on the validation records' answers; null for the reference row. */
  valLoss: number | null;
  /** Training loss every preset.curveEvery steps. */
  curve: { step: number; loss: number }[];
  trainSec: number;
  evalSec: number;
}

/** Where finished cells are kept (IndexedDB in the page, a results folder in Node), keyed by cell key. */
export interface ResultStore {
  get(key: string): Promise<CellResult | undefined>;
  put(key: string, cell: CellResult): Promise<void>;
}
