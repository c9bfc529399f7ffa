/**
 * Content digests for stored checkpoints and datasets (sha-256, Web Crypto: the same code in the
 * browser and in Node). A stored record is "sealed": it carries the digest of every file written
 * with it plus a digest of its own canonical JSON, so a changed byte anywhere — weights, AdamW
 * moments, the RNG state or lr in checkpoint.json, or the metadata itself — is found on load.
 */
import { IntegrityError } from './errors.ts';

export interface FileDigest {
  sha256: string;
  bytes: number;
}

export async function sha256Hex(data: Uint8Array | string): Promise<string> {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const digest = await crypto.subtle.digest('SHA-256', bytes as BufferSource);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

export async function digestOf(data: Uint8Array | string): Promise<FileDigest> {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  return { sha256: await sha256Hex(bytes), bytes: bytes.byteLength };
}

/** A JSON object with a digest of everything else in it. */
export type Sealed<T> = T & { files?: Record<string, FileDigest>; digest: string };

/**
 * Seals `value` and the digests of `files` (without `files`, digests already in `value` are kept).
 * The digest covers the canonical JSON of the object without `digest` (keys sorted), so it does
 * not depend on how a store orders or splits the fields, and any edited value or key changes it.
 */
export async function seal<T extends object>(
  value: T,
  files?: Record<string, Uint8Array | string>,
): Promise<Sealed<T>> {
  const { digest: _d, ...rest } = value as T & { digest?: string };
  const out: Record<string, unknown> = { ...rest };
  const digests: Record<string, FileDigest> = {};
  for (const [name, data] of Object.entries(files ?? {})) digests[name] = await digestOf(data);
  // `files` is always present (maybe empty): with `digest` it marks a sealed record, and one changed
  // byte cannot remove both keys, so a damaged record can never pass for one written before seals.
  out.files = files ? digests : ((rest as { files?: unknown }).files ?? {});
  out.digest = await sha256Hex(canonicalJson(out));
  return out as Sealed<T>;
}

/** True when the object carries a seal (records written before digests existed do not). */
export function isSealed(value: unknown): value is Sealed<object> {
  return typeof value === 'object' && value !== null && typeof (value as { digest?: unknown }).digest === 'string';
}

/** A record from before seals existed: neither `digest` nor `files`. Anything else must verify. */
export function isLegacy(value: object): boolean {
  return !('digest' in value) && !('files' in value);
}

/** Throws IntegrityError naming `what` when the object's own digest does not match. */
export async function checkSeal(value: Sealed<object>, what: string): Promise<void> {
  const { digest, ...rest } = value;
  if (typeof digest !== 'string' || typeof rest.files !== 'object' || rest.files === null) {
    throw new IntegrityError(
      `${what} is damaged: its ${typeof digest !== 'string' ? 'digest' : 'file digests'} field is missing or altered`,
    );
  }
  const found = await sha256Hex(canonicalJson(rest));
  if (found !== digest)
    throw new IntegrityError(
      `${what} is damaged: its content digest does not match (expected sha-256 ${short(digest)}, found ${short(found)})`,
    );
}

/** Checks every file against the seal's digests; the error lists each damaged or missing file. */
export async function checkFiles(
  value: Sealed<object>,
  files: Record<string, Uint8Array | string>,
  where: string,
): Promise<void> {
  const expected = value.files ?? {};
  const damaged: string[] = [];
  for (const [name, want] of Object.entries(expected)) {
    const data = files[name];
    if (data === undefined) {
      damaged.push(`${name} is missing`);
      continue;
    }
    const got = await digestOf(data);
    if (got.bytes !== want.bytes)
      damaged.push(`${name} has ${got.bytes} bytes, expected ${want.bytes} (truncated or overwritten)`);
    else if (got.sha256 !== want.sha256)
      damaged.push(`${name} does not match its sha-256 (expected ${short(want.sha256)}, found ${short(got.sha256)})`);
  }
  if (damaged.length) throw new IntegrityError(`${where} is damaged: ${damaged.join('; ')}`);
}

/** Removes the seal fields, returning the plain object. */
export function unseal<T extends object>(value: T): Omit<T, 'digest' | 'files'> {
  const { digest: _d, files: _f, ...rest } = value as T & { digest?: unknown; files?: unknown };
  return rest as Omit<T, 'digest' | 'files'>;
}

/** JSON.stringify with object keys sorted at every level. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, (v as Record<string, unknown>)[k]]),
    );
  });
}

function short(hex: string): string {
  return `${hex.slice(0, 12)}…`;
}
