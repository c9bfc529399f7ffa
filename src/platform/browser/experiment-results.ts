/**
 * IndexedDB store for the experiment's finished cells (its own database, so no other store's schema changes):
 * the worker writes each cell when it finishes, the Experiment view reads them to show the last table at once,
 * and a rerun skips them (resume after a reload).
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { StorageError } from '../../core/errors.ts';
import type { CellResult, ResultStore } from '../../api/experiment.ts';

interface ExperimentDB extends DBSchema {
  cells: { key: string; value: { key: string; savedAt: string; cell: CellResult } };
}

export const EXPERIMENT_DB_NAME = 'reflectioncoder-experiment';

export class IdbResultStore implements ResultStore {
  private constructor(private readonly db: IDBPDatabase<ExperimentDB>) {}

  static async open(): Promise<IdbResultStore> {
    try {
      const db = await openDB<ExperimentDB>(EXPERIMENT_DB_NAME, 1, {
        upgrade(d) {
          d.createObjectStore('cells', { keyPath: 'key' });
        },
      });
      return new IdbResultStore(db);
    } catch (e) {
      throw new StorageError(`the experiment results database cannot be opened: ${(e as Error).message}`);
    }
  }

  async get(key: string): Promise<CellResult | undefined> {
    return (await this.db.get('cells', key))?.cell;
  }

  async put(key: string, cell: CellResult): Promise<void> {
    try {
      await this.db.put('cells', { key, savedAt: new Date().toISOString(), cell });
    } catch (e) {
      throw new StorageError(`saving the experiment result ${key} failed: ${(e as Error).message}`);
    }
  }

  /** Every saved cell with its key (for showing earlier runs). */
  async all(): Promise<{ key: string; savedAt: string; cell: CellResult }[]> {
    return this.db.getAll('cells');
  }

  close(): void {
    this.db.close();
  }
}
