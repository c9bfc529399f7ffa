/**
 * The last HumanEval file the user picked, kept in IndexedDB (the app never bundles HumanEval): its bytes,
 * name and sha-256. On the next visit the panel reads it back, checks the hash against the bytes, and uses
 * it without asking for the file again. One record; "Forget" removes it.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';

export const UI_DB_NAME = 'reflectioncoder-ui';
const KEY = 'humaneval';

export interface RememberedFile {
  fileName: string;
  sha256: string;
  bytes: Uint8Array;
  savedAt: string;
}

interface UiDB extends DBSchema {
  files: { key: string; value: RememberedFile & { key: string } };
}

let db: Promise<IDBPDatabase<UiDB>> | null = null;
const open = (): Promise<IDBPDatabase<UiDB>> =>
  (db ??= openDB<UiDB>(UI_DB_NAME, 1, {
    upgrade(d) {
      d.createObjectStore('files', { keyPath: 'key' });
    },
  }).catch((e) => {
    db = null;
    throw e;
  }));

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as BufferSource);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export async function rememberProblemFile(f: Omit<RememberedFile, 'savedAt'>): Promise<void> {
  await (await open()).put('files', { key: KEY, ...f, savedAt: new Date().toISOString() });
}

/** The remembered file, or null (none stored, or its bytes no longer match the stored sha-256: then it is dropped). */
export async function recallProblemFile(): Promise<RememberedFile | null> {
  const got = await (await open()).get('files', KEY);
  if (!got) return null;
  if ((await sha256Hex(got.bytes)) !== got.sha256) {
    await forgetProblemFile();
    return null;
  }
  return { fileName: got.fileName, sha256: got.sha256, bytes: got.bytes, savedAt: got.savedAt };
}

export async function forgetProblemFile(): Promise<void> {
  await (await open()).delete('files', KEY);
}
