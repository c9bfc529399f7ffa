/** Ids for stored things (checkpoints, datasets, evaluation runs): `<prefix>-<random>`, unique within a store. */
export function newId(prefix: string): string {
  // randomUUID needs a secure context; ids only have to be unique within their store.
  const rand =
    typeof crypto.randomUUID === 'function'
      ? crypto.randomUUID()
      : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  return `${prefix}-${rand}`;
}
