/**
 * Where the Reflect panel finds records: the app's own demo records (src/core/data/demo-records.ts) and the
 * datasets in the app's IndexedDB store (TRAIN-APP's IdbStore); and where it saves the records it builds:
 * one dataset, "Reflections built here", re-written as a whole in one transaction per save.
 */
import { demoRecords } from '../../core/data/demo-records.ts';
import { parseRecordsJsonl, recordsToJsonl } from '../../core/records/jsonl.ts';
import type { ReflectionRecord } from '../../core/records/schema.ts';
import { IdbStore } from '../../page/stores.ts';

export const BUILT_ID = 'reflections-built-here';
export interface DatasetChoice {
  id: string;
  name: string;
}

let storePromise: Promise<IdbStore> | null = null;
const store = (): Promise<IdbStore> =>
  (storePromise ??= IdbStore.open().catch((e) => {
    storePromise = null;
    throw e;
  }));

export async function listDatasetChoices(): Promise<DatasetChoice[]> {
  const builtIn = { id: 'builtin:demo', name: 'Built-in demo records' };
  try {
    const metas = await (await store()).listDatasets();
    return [
      builtIn,
      ...metas
        .filter((m) => m.counts.reflection > 0)
        .map((m) => ({ id: m.id, name: `${m.name} (${m.counts.reflection})` })),
    ];
  } catch {
    return [builtIn]; // no IndexedDB (private mode): the built-in records still work
  }
}

/** The reflection records of a dataset. */
export async function loadReflectionRecords(id: string): Promise<ReflectionRecord[]> {
  if (id === 'builtin:demo') return demoRecords().filter((r) => r.type === 'reflection');
  const ds = await (await store()).getDataset(id);
  if (!ds) return [];
  return parseRecordsJsonl(ds.jsonl).records.filter((r) => r.type === 'reflection');
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Appends records to "Reflections built here" (created on first save). Returns the new record count. */
export async function saveBuiltRecords(records: ReflectionRecord[]): Promise<number> {
  const s = await store();
  const existing = await s.getDataset(BUILT_ID);
  const all = [...(existing ? parseRecordsJsonl(existing.jsonl).records : []), ...records];
  const jsonl = recordsToJsonl(all);
  await s.putDataset({
    id: BUILT_ID,
    name: 'Reflections built here',
    provenance: {
      fileName: 'builtin:reflect-panel',
      importedAt: new Date().toISOString(),
      sha256: await sha256Hex(jsonl),
    },
    counts: {
      reflection: all.filter((r) => r.type === 'reflection').length,
      generation: all.filter((r) => r.type === 'generation').length,
      dropped: 0,
    },
    jsonl,
  });
  return all.length;
}
