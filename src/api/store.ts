/**
 * Storage interface shared by the IndexedDB store (browser, src/platform/browser/store.ts) and the
 * file store (Node, src/platform/node/file-store.ts). Types only: plain data that survives
 * structured cloning and JSON.
 */

/** Where a dataset came from, so a run can say exactly what it trained on. */
export interface DatasetProvenance {
  /** The imported file's name, or `builtin:<name>` for data shipped with the app. */
  fileName: string;
  /** ISO-8601 date of the import. */
  importedAt: string;
  /** sha-256 of the imported file's bytes, lowercase hex. */
  sha256: string;
}

export interface DatasetCounts {
  reflection: number;
  generation: number;
  /** Lines that could not be parsed (bad JSON or wrong schema) and were left out. */
  dropped: number;
}

export interface DatasetMeta {
  id: string;
  name: string;
  provenance: DatasetProvenance;
  counts: DatasetCounts;
}

/** A dataset as stored: its metadata plus the records re-serialised as JSONL (only the valid ones). */
export interface StoredDataset extends DatasetMeta {
  jsonl: string;
}

/** What the checkpoint list shows, without loading any weights. */
export interface CheckpointMeta {
  id: string;
  name: string;
  /** ISO-8601 time of the last write. */
  savedAt: string;
  step: number;
  totalSteps: number;
  preset: string;
  /** Last logged total loss, or null before the first step. */
  loss: number | null;
  /** Size of the weight + optimizer bytes. */
  bytes: number;
}

/**
 * A checkpoint's two files: `safetensors` holds every tensor (weights and optimizer moments),
 * `json` everything else (config, tokenizer, step, RNG state, data order position, metrics).
 * They are written together in one transaction (IndexedDB) or one rename (files).
 */
export interface CheckpointFiles {
  safetensors: Uint8Array;
  json: string;
}

export interface TrainStore {
  listDatasets(): Promise<DatasetMeta[]>;
  getDataset(id: string): Promise<StoredDataset | undefined>;
  putDataset(dataset: StoredDataset): Promise<void>;
  deleteDataset(id: string): Promise<void>;

  listCheckpoints(): Promise<CheckpointMeta[]>;
  getCheckpoint(id: string): Promise<{ meta: CheckpointMeta; files: CheckpointFiles } | undefined>;
  /** Atomic: either meta and both files are replaced, or the previous checkpoint with this id is kept. */
  putCheckpoint(meta: CheckpointMeta, files: CheckpointFiles): Promise<void>;
  renameCheckpoint(id: string, name: string): Promise<void>;
  deleteCheckpoint(id: string): Promise<void>;
}
