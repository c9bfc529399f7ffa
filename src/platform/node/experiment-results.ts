/** The Node ResultStore: one JSON file per finished cell under <dir>/cells/ (written whole, then renamed). */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CellResult, ResultStore } from '../../api/experiment.ts';

export class FileResultStore implements ResultStore {
  constructor(private readonly dir: string) {}

  private file(key: string): string {
    return path.join(this.dir, 'cells', key.replace(/[^A-Za-z0-9_.@-]+/g, '_') + '.json');
  }

  async get(key: string): Promise<CellResult | undefined> {
    try {
      return JSON.parse(await readFile(this.file(key), 'utf8')) as CellResult;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  async put(key: string, cell: CellResult): Promise<void> {
    const f = this.file(key);
    await mkdir(path.dirname(f), { recursive: true });
    await writeFile(f + '.tmp', JSON.stringify(cell) + '\n');
    await rename(f + '.tmp', f);
  }
}
