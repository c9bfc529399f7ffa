/**
 * Datasets: import a JSONL file into the store (with provenance and counts) and load the records
 * of the datasets a run trains on. Import is all-or-nothing on format (TRAIN-CORE's
 * parseRecordsJsonl: a DataFormatError lists every bad line and nothing is stored); exact duplicate
 * records are dropped and counted, since a duplicate would silently double a record's weight.
 */
import { BUILTIN_DEMO_DATASET } from '../../api/trainer.ts';
import type { DatasetMeta, StoredDataset, TrainStore } from '../../api/store.ts';
import { DataFormatError, StorageError } from '../../core/errors.ts';
import { parseRecordsJsonl, recordToJson, recordsToJsonl } from '../../core/records/jsonl.ts';
import type { ReflectionRecord } from '../../core/records/schema.ts';
import { demoRecords } from '../../core/data/demo-records.ts';
import { sha256Hex } from '../../core/integrity.ts';
import type { DatasetRef } from './checkpoint.ts';

export { sha256Hex } from '../../core/integrity.ts';

/** Parses and de-duplicates a JSONL file; the StoredDataset holds the records re-serialised. */
export async function datasetFromFile(fileName: string, bytes: Uint8Array, now = new Date()): Promise<StoredDataset> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new DataFormatError(`${fileName}: expected UTF-8 text (JSON Lines), found bytes that are not valid UTF-8`);
  }
  let parsed: ReflectionRecord[];
  try {
    parsed = parseRecordsJsonl(text).records;
  } catch (e) {
    if (e instanceof DataFormatError) throw new DataFormatError(`${fileName}: ${e.message}`);
    throw e;
  }
  const seen = new Set<string>();
  const records: ReflectionRecord[] = [];
  for (const r of parsed) {
    const key = recordToJson(r);
    if (seen.has(key)) continue;
    seen.add(key);
    records.push(r);
  }
  const sha256 = await sha256Hex(bytes);
  const reflection = records.filter((r) => r.type === 'reflection').length;
  return {
    // Same bytes → same id: importing a file twice replaces it instead of duplicating it.
    id: `ds-${sha256.slice(0, 16)}`,
    name: fileName.replace(/\.(jsonl|json)$/i, ''),
    provenance: { fileName, importedAt: now.toISOString(), sha256 },
    counts: { reflection, generation: records.length - reflection, dropped: parsed.length - records.length },
    jsonl: recordsToJsonl(records),
  };
}

export async function importDataset(store: TrainStore, fileName: string, bytes: Uint8Array): Promise<DatasetMeta> {
  return (await importDatasets(store, [{ fileName, bytes }]))[0]!;
}

/**
 * Imports several files all-or-nothing: every file is parsed before anything is stored (a bad line
 * in the last file stores none), and if storing one fails, the ones this call added are removed.
 */
export async function importDatasets(
  store: TrainStore,
  files: { fileName: string; bytes: Uint8Array }[],
): Promise<DatasetMeta[]> {
  const parsed: StoredDataset[] = [];
  for (const f of files) parsed.push(await datasetFromFile(f.fileName, f.bytes));
  const existing = new Set((await store.listDatasets()).map((d) => d.id));
  const added: string[] = [];
  let at = 0;
  try {
    for (const ds of parsed) {
      at = parsed.indexOf(ds);
      await store.putDataset(ds);
      if (!existing.has(ds.id)) added.push(ds.id);
    }
  } catch (e) {
    for (const id of added) await store.deleteDataset(id).catch(() => {});
    const why = e as Error;
    throw new StorageError(
      `importing ${files.map((f) => f.fileName).join(', ')} failed at ${parsed[at]!.name} (${why.name}: ${why.message}); none of the files was stored`,
    );
  }
  return parsed.map(({ jsonl: _jsonl, ...meta }) => meta);
}

let demoRef: Promise<DatasetRef> | null = null;

function builtinRef(): Promise<DatasetRef> {
  demoRef ??= sha256Hex(new TextEncoder().encode(recordsToJsonl(demoRecords()))).then((sha256) => ({
    id: BUILTIN_DEMO_DATASET,
    name: 'Built-in demo',
    sha256,
  }));
  return demoRef;
}

/** The records of the given datasets, concatenated in the given order, with references for the checkpoint. */
export async function loadDatasets(
  store: TrainStore | null,
  ids: string[],
): Promise<{ records: ReflectionRecord[]; refs: DatasetRef[] }> {
  if (ids.length === 0)
    throw new DataFormatError('no dataset chosen: pick the built-in demo and/or an imported JSONL file');
  const records: ReflectionRecord[] = [];
  const refs: DatasetRef[] = [];
  for (const id of ids) {
    if (id === BUILTIN_DEMO_DATASET) {
      records.push(...demoRecords());
      refs.push(await builtinRef());
      continue;
    }
    if (!store) throw new StorageError(`dataset "${id}" needs storage, and none is configured here`);
    const ds = await store.getDataset(id);
    if (!ds) throw new DataFormatError(`dataset "${id}" is not in storage (deleted?); import it again`);
    records.push(...parseRecordsJsonl(ds.jsonl).records);
    refs.push({ id: ds.id, name: ds.name, sha256: ds.provenance.sha256 });
  }
  return { records, refs };
}

/** The records of a checkpoint's datasets, checking they are the very same data (sha-256). */
export async function loadCheckpointDatasets(store: TrainStore, refs: DatasetRef[]): Promise<ReflectionRecord[]> {
  const { refs: now, records } = await loadDatasets(
    store,
    refs.map((r) => r.id),
  );
  refs.forEach((r, i) => {
    if (now[i]!.sha256 !== r.sha256) {
      throw new DataFormatError(
        `dataset "${r.name}" changed since the checkpoint (sha-256 ${r.sha256.slice(0, 12)}… → ${now[i]!.sha256.slice(0, 12)}…): the run cannot resume bit for bit`,
      );
    }
  });
  return records;
}
