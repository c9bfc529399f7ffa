// Over 300 lines: one IndexedDB schema and the transactions that keep it consistent.
/**
 * IndexedDB implementation of TrainStore (through `idb`). Metadata and bytes live in separate
 * object stores so listing never loads weights; a checkpoint's metadata and files are written in
 * ONE readwrite transaction, so a failure anywhere in the write (quota, crash, tab closed) aborts
 * the whole transaction and the previous checkpoint under that id stays readable. The metadata is
 * sealed (sha-256 of both files and of itself, src/core/integrity.ts) and checked on every load;
 * the same transaction keeps the previous generation, which a load offers when the live copy is
 * damaged. Datasets are sealed too (docs/reliability.md).
 */
import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction } from 'idb';
import type { CheckpointFiles, CheckpointMeta, DatasetMeta, StoredDataset, TrainStore } from '../../api/store.ts';
import { IntegrityError, StorageError } from '../../core/errors.ts';
import { checkFiles, checkSeal, isLegacy, seal, unseal, type Sealed } from '../../core/integrity.ts';

interface TrainDB extends DBSchema {
  datasetMeta: { key: string; value: DatasetMeta };
  datasetData: { key: string; value: { id: string; jsonl: string } };
  checkpointMeta: { key: string; value: CheckpointMeta };
  checkpointFiles: { key: string; value: { id: string; safetensors: Uint8Array; json: string } };
  /** The previous generation of each checkpoint id (meta + files), offered when the live copy is damaged. */
  checkpointPrev: {
    key: string;
    value: { id: string; meta: CheckpointMeta | Sealed<CheckpointMeta>; safetensors: Uint8Array; json: string };
  };
}

type StoreName = 'datasetMeta' | 'datasetData' | 'checkpointMeta' | 'checkpointFiles' | 'checkpointPrev';
type WriteTx = IDBPTransaction<TrainDB, StoreName[], 'readwrite'>;

export const DEFAULT_DB_NAME = 'reflectioncoder-train';
const DB_VERSION = 2;

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
    if (typeof indexedDB === 'undefined')
      throw new StorageError('IndexedDB is not available in this environment; use the file store in Node');
    try {
      const db = await openDB<TrainDB>(options.name ?? DEFAULT_DB_NAME, DB_VERSION, {
        upgrade(db, oldVersion) {
          if (oldVersion < 1) {
            db.createObjectStore('datasetMeta', { keyPath: 'id' });
            db.createObjectStore('datasetData', { keyPath: 'id' });
            db.createObjectStore('checkpointMeta', { keyPath: 'id' });
            db.createObjectStore('checkpointFiles', { keyPath: 'id' });
          }
          if (oldVersion < 2) db.createObjectStore('checkpointPrev', { keyPath: 'id' });
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
    return all
      .map((m) => unseal(m) as DatasetMeta)
      .sort((a, b) => a.provenance.importedAt.localeCompare(b.provenance.importedAt));
  }

  async getDataset(id: string): Promise<StoredDataset | undefined> {
    const tx = this.db.transaction(['datasetMeta', 'datasetData'], 'readonly');
    const [meta, data] = await Promise.all([
      tx.objectStore('datasetMeta').get(id),
      tx.objectStore('datasetData').get(id),
    ]);
    await tx.done;
    if (!meta && !data) return undefined;
    if (!meta || !data)
      throw new IntegrityError(
        `dataset "${id}" in browser storage is damaged: its ${meta ? 'records are' : 'metadata is'} missing; import the JSONL file again`,
      );
    const ds = { ...meta, jsonl: data.jsonl };
    if (!isLegacy(ds)) {
      await checkSeal(ds as Sealed<StoredDataset>, `dataset "${meta.name}" in browser storage`).catch((e: Error) => {
        throw new IntegrityError(`${e.message}; import the JSONL file again`);
      });
    }
    return unseal(ds) as StoredDataset;
  }

  async putDataset(dataset: StoredDataset): Promise<void> {
    const { jsonl, ...meta } = await seal(dataset);
    await this.write(
      ['datasetMeta', 'datasetData'],
      `saving dataset "${dataset.name}"`,
      'no dataset was added',
      async (put) => {
        await put('datasetMeta', meta as DatasetMeta);
        await put('datasetData', { id: dataset.id, jsonl });
      },
    );
  }

  async deleteDataset(id: string): Promise<void> {
    await this.write(
      ['datasetMeta', 'datasetData'],
      `deleting dataset ${id}`,
      'the dataset was kept',
      async (_put, tx) => {
        await tx.objectStore('datasetMeta').delete(id);
        await tx.objectStore('datasetData').delete(id);
      },
    );
  }

  async listCheckpoints(): Promise<CheckpointMeta[]> {
    const all = await this.db.getAll('checkpointMeta');
    return all.map((m) => unseal(m) as CheckpointMeta).sort((a, b) => b.savedAt.localeCompare(a.savedAt));
  }

  async getCheckpoint(id: string): Promise<{ meta: CheckpointMeta; files: CheckpointFiles } | undefined> {
    const tx = this.db.transaction(['checkpointMeta', 'checkpointFiles'], 'readonly');
    const [meta, files] = await Promise.all([
      tx.objectStore('checkpointMeta').get(id),
      tx.objectStore('checkpointFiles').get(id),
    ]);
    await tx.done;
    if (!meta && !files) return undefined;
    const problem = await verify(id, meta, files);
    if (!problem)
      return { meta: unseal(meta!) as CheckpointMeta, files: { safetensors: files!.safetensors, json: files!.json } };
    throw await this.offerPrevious(id, problem);
  }

  /** The live copy is damaged: replace it with the previous generation if that verifies. */
  private async offerPrevious(id: string, problem: string): Promise<IntegrityError> {
    const prev = await this.db.get('checkpointPrev', id);
    if (prev && !(await verify(id, prev.meta, prev))) {
      await this.write(
        ['checkpointMeta', 'checkpointFiles', 'checkpointPrev'],
        `restoring the previous checkpoint ${id}`,
        'nothing was changed',
        async (put, tx) => {
          await put('checkpointFiles', { id, safetensors: prev.safetensors, json: prev.json });
          await put('checkpointMeta', prev.meta);
          await tx.objectStore('checkpointPrev').delete(id);
        },
      );
      return new IntegrityError(
        `${problem}. The damaged copy was discarded; the previous good checkpoint of this run (step ${prev.meta.step}, ` +
          `saved ${prev.meta.savedAt}) now stands under id "${id}": load or resume it again.`,
      );
    }
    return new IntegrityError(
      `${problem}. There is no earlier good copy of this checkpoint (choose another checkpoint or start again).`,
    );
  }

  async putCheckpoint(meta: CheckpointMeta, files: CheckpointFiles): Promise<void> {
    // Digests and bytes first: no await on anything but IndexedDB inside the transaction, or it
    // would auto-commit half-way.
    const sealed = await seal(meta, { 'checkpoint.json': files.json, 'checkpoint.safetensors': files.safetensors });
    await this.write(
      ['checkpointMeta', 'checkpointFiles', 'checkpointPrev'],
      `saving checkpoint "${meta.name}" (${(files.safetensors.byteLength / 1e6).toFixed(1)} MB)`,
      'the previous checkpoint was kept',
      async (put, tx) => {
        const [curMeta, curFiles] = await Promise.all([
          tx.objectStore('checkpointMeta').get(meta.id),
          tx.objectStore('checkpointFiles').get(meta.id),
        ]);
        if (curMeta && curFiles)
          await put('checkpointPrev', {
            id: meta.id,
            meta: curMeta,
            safetensors: curFiles.safetensors,
            json: curFiles.json,
          });
        await put('checkpointFiles', { id: meta.id, safetensors: files.safetensors, json: files.json });
        await put('checkpointMeta', sealed);
      },
    );
  }

  async renameCheckpoint(id: string, name: string): Promise<void> {
    const meta = await this.db.get('checkpointMeta', id);
    if (!meta) throw new StorageError(`no checkpoint with id "${id}" to rename`);
    // Never re-seal damaged metadata: that would launder it.
    if (!isLegacy(meta))
      await checkSeal(meta as Sealed<CheckpointMeta>, `checkpoint "${meta.name}" in browser storage: its metadata`);
    const next = !isLegacy(meta) ? await seal({ ...meta, name }) : { ...meta, name };
    await this.write(['checkpointMeta'], `renaming checkpoint ${id}`, 'the old name was kept', async (put, tx) => {
      const cur = await tx.objectStore('checkpointMeta').get(id);
      if (!cur) throw new StorageError(`no checkpoint with id "${id}" to rename`);
      if ((cur as Partial<Sealed<CheckpointMeta>>).digest !== (meta as Partial<Sealed<CheckpointMeta>>).digest) {
        throw new StorageError(`checkpoint "${id}" was rewritten while renaming it; try again`);
      }
      await put('checkpointMeta', next);
    });
  }

  async deleteCheckpoint(id: string): Promise<void> {
    await this.write(
      ['checkpointMeta', 'checkpointFiles', 'checkpointPrev'],
      `deleting checkpoint ${id}`,
      'the checkpoint was kept',
      async (_put, tx) => {
        await tx.objectStore('checkpointMeta').delete(id);
        await tx.objectStore('checkpointFiles').delete(id);
        await tx.objectStore('checkpointPrev').delete(id);
      },
    );
  }

  /** One readwrite transaction over `stores`; any error aborts it so nothing is written half-way. */
  private async write(
    stores: StoreName[],
    what: string,
    kept: string,
    body: (
      put: <S extends StoreName>(store: S, value: TrainDB[S]['value']) => Promise<void>,
      tx: WriteTx,
    ) => Promise<void>,
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

/** What is wrong with a stored checkpoint (meta seal, file digests), or null when it verifies. */
async function verify(
  id: string,
  meta: CheckpointMeta | undefined,
  files: { safetensors: Uint8Array; json: string } | undefined,
): Promise<string | null> {
  const what = `checkpoint "${meta?.name ?? id}" in browser storage`;
  if (!meta) return `${what} is damaged: its metadata is missing`;
  if (!files) return `${what} is damaged: its files (checkpoint.json, checkpoint.safetensors) are missing`;
  if (isLegacy(meta)) return null; // stored before digests existed
  try {
    await checkSeal(meta as Sealed<CheckpointMeta>, `${what}: its metadata`);
    await checkFiles(
      meta as Sealed<CheckpointMeta>,
      { 'checkpoint.json': files.json, 'checkpoint.safetensors': files.safetensors },
      what,
    );
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}
