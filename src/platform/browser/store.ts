/**
 * IndexedDB implementation of TrainStore (through `idb`). Metadata and bytes live in separate
 * object stores so listing never loads weights; a checkpoint's metadata and files are written in
 * ONE readwrite transaction, so a failure anywhere in the write (quota, crash, tab closed) aborts
 * the whole transaction and the previous checkpoint under that id stays readable.
 */
import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction } from 'idb';
import type { CheckpointFiles, CheckpointMeta, DatasetMeta, StoredDataset, TrainStore } from '../../api/store.ts';
import { StorageError } from '../../core/errors.ts';

interface TrainDB extends DBSchema {
  datasetMeta: { key: string; value: DatasetMeta };
  datasetData: { key: string; value: { id: string; jsonl: string } };
  checkpointMeta: { key: string; value: CheckpointMeta };
  checkpointFiles: { key: string; value: { id: string; safetensors: Uint8Array; json: string } };
}

type StoreName = 'datasetMeta' | 'datasetData' | 'checkpointMeta' | 'checkpointFiles';
type WriteTx = IDBPTransaction<TrainDB, StoreName[], 'readwrite'>;

export const DEFAULT_DB_NAME = 'reflectioncoder-train';
const DB_VERSION = 1;

export interface IdbStoreOptions {
  /** Database name (tests use a fresh one each). */
  name?: string;
  /** Called after each put inside a write transaction. Tests throw from it to simulate a failure mid-write. */
  onWrite?: (store: StoreName) => void;
}

function isQuotaError(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { name?: string }).name === 'QuotaExceededError';
}

/** Turn whatever IndexedDB threw into a StorageError that says what was kept and how to fix it. */
function storageError(what: string, e: unknown, kept: string): StorageError {
  if (isQuotaError(e)) {
    return new StorageError(
      `browser storage is full (QuotaExceededError) while ${what}; ${kept}. ` +
        'Free space by exporting and deleting old checkpoints or datasets, then try again.',
    );
  }
  const err = e as { name?: string; message?: string };
  return new StorageError(`IndexedDB refused ${what}: ${err?.name ?? 'Error'}: ${err?.message ?? String(e)}; ${kept}.`);
}

export class IdbStore implements TrainStore {
  private constructor(
    private readonly db: IDBPDatabase<TrainDB>,
    private readonly onWrite: (store: StoreName) => void,
  ) {}

  static async open(options: IdbStoreOptions = {}): Promise<IdbStore> {
    if (typeof indexedDB === 'undefined') throw new StorageError('IndexedDB is not available in this environment; use the file store in Node');
    try {
      const db = await openDB<TrainDB>(options.name ?? DEFAULT_DB_NAME, DB_VERSION, {
        upgrade(db) {
          db.createObjectStore('datasetMeta', { keyPath: 'id' });
          db.createObjectStore('datasetData', { keyPath: 'id' });
          db.createObjectStore('checkpointMeta', { keyPath: 'id' });
          db.createObjectStore('checkpointFiles', { keyPath: 'id' });
        },
        blocked() {
          // Another tab holds an older version open; it closes on its `versionchange` below.
        },
      });
      // Let a newer version of the app (another tab) upgrade the schema instead of blocking it.
      db.addEventListener('versionchange', () => db.close());
      return new IdbStore(db, options.onWrite ?? (() => {}));
    } catch (e) {
      throw storageError('to open the training database', e, 'nothing was changed');
    }
  }

  close(): void {
    this.db.close();
  }

  async listDatasets(): Promise<DatasetMeta[]> {
    const all = await this.db.getAll('datasetMeta');
    return all.sort((a, b) => a.provenance.importedAt.localeCompare(b.provenance.importedAt));
  }

  async getDataset(id: string): Promise<StoredDataset | undefined> {
    const tx = this.db.transaction(['datasetMeta', 'datasetData'], 'readonly');
    const [meta, data] = await Promise.all([tx.objectStore('datasetMeta').get(id), tx.objectStore('datasetData').get(id)]);
    await tx.done;
    if (!meta || !data) return undefined;
    return { ...meta, jsonl: data.jsonl };
  }

  async putDataset(dataset: StoredDataset): Promise<void> {
    const { jsonl, ...meta } = dataset;
    await this.write(['datasetMeta', 'datasetData'], `saving dataset "${dataset.name}"`, 'no dataset was added', async (put) => {
      await put('datasetMeta', meta);
      await put('datasetData', { id: dataset.id, jsonl });
    });
  }

  async deleteDataset(id: string): Promise<void> {
    await this.write(['datasetMeta', 'datasetData'], `deleting dataset ${id}`, 'the dataset was kept', async (_put, tx) => {
      await tx.objectStore('datasetMeta').delete(id);
      await tx.objectStore('datasetData').delete(id);
    });
  }

  async listCheckpoints(): Promise<CheckpointMeta[]> {
    const all = await this.db.getAll('checkpointMeta');
    return all.sort((a, b) => b.savedAt.localeCompare(a.savedAt));
  }

  async getCheckpoint(id: string): Promise<{ meta: CheckpointMeta; files: CheckpointFiles } | undefined> {
    const tx = this.db.transaction(['checkpointMeta', 'checkpointFiles'], 'readonly');
    const [meta, files] = await Promise.all([tx.objectStore('checkpointMeta').get(id), tx.objectStore('checkpointFiles').get(id)]);
    await tx.done;
    if (!meta || !files) return undefined;
    return { meta, files: { safetensors: files.safetensors, json: files.json } };
  }

  async putCheckpoint(meta: CheckpointMeta, files: CheckpointFiles): Promise<void> {
    // Everything is already bytes here: no await on anything but IndexedDB inside the transaction,
    // or it would auto-commit half-way.
    await this.write(
      ['checkpointMeta', 'checkpointFiles'],
      `saving checkpoint "${meta.name}" (${(files.safetensors.byteLength / 1e6).toFixed(1)} MB)`,
      'the previous checkpoint was kept',
      async (put) => {
        await put('checkpointFiles', { id: meta.id, safetensors: files.safetensors, json: files.json });
        await put('checkpointMeta', meta);
      },
    );
  }

  async renameCheckpoint(id: string, name: string): Promise<void> {
    await this.write(['checkpointMeta'], `renaming checkpoint ${id}`, 'the old name was kept', async (put, tx) => {
      const meta = await tx.objectStore('checkpointMeta').get(id);
      if (!meta) throw new StorageError(`no checkpoint with id "${id}" to rename`);
      await put('checkpointMeta', { ...meta, name });
    });
  }

  async deleteCheckpoint(id: string): Promise<void> {
    await this.write(['checkpointMeta', 'checkpointFiles'], `deleting checkpoint ${id}`, 'the checkpoint was kept', async (_put, tx) => {
      await tx.objectStore('checkpointMeta').delete(id);
      await tx.objectStore('checkpointFiles').delete(id);
    });
  }

  /** One readwrite transaction over `stores`; any error aborts it so nothing is written half-way. */
  private async write(
    stores: StoreName[],
    what: string,
    kept: string,
    body: (put: <S extends StoreName>(store: S, value: TrainDB[S]['value']) => Promise<void>, tx: WriteTx) => Promise<void>,
  ): Promise<void> {
    let tx: WriteTx;
    try {
      tx = this.db.transaction(stores, 'readwrite');
    } catch (e) {
      throw storageError(what, e, kept);
    }
    const done = tx.done.catch((e: unknown) => e ?? tx.error ?? new Error('transaction aborted'));
    const put = async <S extends StoreName>(store: S, value: TrainDB[S]['value']): Promise<void> => {
      await tx.objectStore(store).put(value as never);
      this.onWrite(store);
    };
    try {
      await body(put, tx);
    } catch (e) {
      try {
        tx.abort();
      } catch {
        // Already finished or aborted by the engine (e.g. on QuotaExceededError).
      }
      await done;
      if (e instanceof StorageError) throw e;
      throw storageError(what, e, kept);
    }
    const failure = await done;
    if (failure !== undefined) throw storageError(what, failure, kept);
  }
}
