/**
 * IndexedDB store for HumanEval runs (its own database: the training store's schema has no place for
 * results, and a separate database never needs a version bump of someone else's). A run's metadata and
 * its samples are written in ONE transaction, so a failed write leaves no half-saved run; listing reads
 * metadata only.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { EvalRunMeta, SampleResult } from '../../api/eval.ts';

export type { EvalRunMeta };
import { StorageError } from '../../core/errors.ts';

interface EvalDB extends DBSchema {
  runMeta: { key: string; value: EvalRunMeta };
  runSamples: { key: string; value: { id: string; samples: SampleResult[] } };
}

export const EVAL_DB_NAME = 'reflectioncoder-eval';

function refused(what: string, e: unknown): StorageError {
  const err = e as { name?: string; message?: string };
  if (err?.name === 'QuotaExceededError')
    return new StorageError(
      `browser storage is full while ${what}; nothing was saved. Delete old runs or checkpoints and try again.`,
    );
  return new StorageError(
    `IndexedDB refused ${what}: ${err?.name ?? 'Error'}: ${err?.message ?? String(e)}; nothing was changed.`,
  );
}

export class EvalStore {
  private constructor(private readonly db: IDBPDatabase<EvalDB>) {}

  static async open(name = EVAL_DB_NAME): Promise<EvalStore> {
    if (typeof indexedDB === 'undefined')
      throw new StorageError('IndexedDB is not available here; evaluation runs cannot be saved');
    try {
      const db = await openDB<EvalDB>(name, 1, {
        upgrade(db) {
          db.createObjectStore('runMeta', { keyPath: 'id' });
          db.createObjectStore('runSamples', { keyPath: 'id' });
        },
      });
      db.addEventListener('versionchange', () => db.close());
      return new EvalStore(db);
    } catch (e) {
      throw refused('to open the evaluation database', e);
    }
  }

  /** Newest first. */
  async list(): Promise<EvalRunMeta[]> {
    const all = await this.db.getAll('runMeta');
    return all.sort((a, b) => b.savedAt.localeCompare(a.savedAt));
  }

  async get(id: string): Promise<{ meta: EvalRunMeta; samples: SampleResult[] } | undefined> {
    const tx = this.db.transaction(['runMeta', 'runSamples'], 'readonly');
    const [meta, samples] = await Promise.all([
      tx.objectStore('runMeta').get(id),
      tx.objectStore('runSamples').get(id),
      tx.done,
    ]);
    return meta && samples ? { meta, samples: samples.samples } : undefined;
  }

  async put(meta: EvalRunMeta, samples: SampleResult[]): Promise<void> {
    const tx = this.db.transaction(['runMeta', 'runSamples'], 'readwrite');
    const pending: Promise<unknown>[] = [];
    try {
      pending.push(tx.objectStore('runMeta').put(meta));
      pending.push(tx.objectStore('runSamples').put({ id: meta.id, samples }));
      await Promise.all(pending);
      await tx.done;
    } catch (e) {
      for (const p of pending) p.catch(() => undefined);
      // A put that throws (DataCloneError) does not abort the transaction by itself: abort so the meta goes too.
      try {
        tx.abort();
      } catch {
        // already finished or aborted
      }
      await tx.done.catch(() => undefined);
      throw refused(`saving evaluation run ${meta.id}`, e);
    }
  }

  async delete(id: string): Promise<void> {
    const tx = this.db.transaction(['runMeta', 'runSamples'], 'readwrite');
    await Promise.all([tx.objectStore('runMeta').delete(id), tx.objectStore('runSamples').delete(id), tx.done]);
  }

  close(): void {
    this.db.close();
  }
}
