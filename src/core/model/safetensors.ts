/**
 * The safetensors format (Hugging Face): 8-byte little-endian header length, a JSON header
 * {name: {dtype, shape, data_offsets: [begin, end]}, __metadata__?: {string: string}}, then the raw
 * little-endian data. Reading accepts F32, F16, BF16 (decoded to float32), I32 and I64 (to int32
 * when every value fits). Every malformation is a CheckpointError saying expected vs found.
 */
import { CheckpointError } from '../errors.ts';
import { backendLimits } from './budget.ts';

export type SafetensorsDtype = 'F32' | 'F16' | 'BF16' | 'I32' | 'I64';
export interface SafeTensor {
  /** The dtype stored in the file. */
  dtype: SafetensorsDtype;
  shape: number[];
  /** Decoded values: float types → Float32Array, integer types → Int32Array. */
  data: Float32Array | Int32Array;
}
export interface WritableTensor {
  shape: number[];
  data: Float32Array | Int32Array;
}

const BYTES: Record<SafetensorsDtype, number> = { F32: 4, F16: 2, BF16: 2, I32: 4, I64: 8 };
/** Refuse absurd headers before JSON.parse (the Rust implementation's limit is 100 MB). */
const MAX_HEADER = 100_000_000;

/** One tensor's entry in a safetensors header; begin/end are absolute byte offsets in the file. */
export interface SafetensorsEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
}

/** The 8-byte prefix → header length; throws when it cannot describe a file of `fileSize` bytes. */
export function safetensorsHeaderLength(prefix: Uint8Array, fileSize: number): number {
  if (fileSize < 8 || prefix.length < 8)
    throw new CheckpointError(`safetensors: file is ${fileSize} bytes, expected at least 8 (header length)`);
  const dv = new DataView(prefix.buffer, prefix.byteOffset, 8);
  const lo = dv.getUint32(0, true);
  const hi = dv.getUint32(4, true);
  if (hi !== 0 || lo > MAX_HEADER)
    throw new CheckpointError(
      `safetensors: header length ${hi * 2 ** 32 + lo} is impossible (file is ${fileSize} bytes)`,
    );
  if (8 + lo > fileSize)
    throw new CheckpointError(
      `safetensors: header says ${lo} header bytes but the file has only ${fileSize - 8} after the length (truncated?)`,
    );
  return lo;
}

/**
 * Parses and checks a header (the file's first 8 + length bytes) against the file size, without
 * reading any data: entries with absolute offsets, in header order.
 */
export function parseSafetensorsHeader(
  head: Uint8Array,
  fileSize: number,
  metadata?: Record<string, string>,
): SafetensorsEntry[] {
  const lo = safetensorsHeaderLength(head, fileSize);
  if (head.length < 8 + lo) throw new CheckpointError(`safetensors: header needs ${8 + lo} bytes, got ${head.length}`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(8, 8 + lo)));
  } catch (e) {
    throw new CheckpointError(`safetensors: header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    throw new CheckpointError('safetensors: header must be a JSON object');
  const dataStart = 8 + lo;
  const dataLen = fileSize - dataStart;
  const spans: SafetensorsEntry[] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof raw !== 'object' || raw === null || Object.values(raw).some((v) => typeof v !== 'string')) {
        throw new CheckpointError('safetensors: __metadata__ must map strings to strings');
      }
      if (metadata) Object.assign(metadata, raw);
      continue;
    }
    const e = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e !== 'object' || e === null) throw new CheckpointError(`safetensors: entry ${name} is not an object`);
    if (typeof e.dtype !== 'string' || !(e.dtype in BYTES)) {
      throw new CheckpointError(
        `safetensors: tensor ${name} has dtype ${JSON.stringify(e.dtype)}; supported: ${Object.keys(BYTES).join(', ')}`,
      );
    }
    const dtype = e.dtype as SafetensorsDtype;
    if (!Array.isArray(e.shape) || e.shape.some((d) => !Number.isInteger(d) || d < 0))
      throw new CheckpointError(`safetensors: tensor ${name} has invalid shape ${JSON.stringify(e.shape)}`);
    const shape = e.shape as number[];
    const off = e.data_offsets;
    if (
      !Array.isArray(off) ||
      off.length !== 2 ||
      !off.every((o) => Number.isInteger(o) && o >= 0) ||
      off[0] > off[1]
    ) {
      throw new CheckpointError(`safetensors: tensor ${name} has invalid data_offsets ${JSON.stringify(off)}`);
    }
    const [begin, end] = off as [number, number];
    const count = shape.reduce((a, b) => a * b, 1);
    if (end - begin !== count * BYTES[dtype]) {
      throw new CheckpointError(
        `safetensors: tensor ${name} ${dtype}[${shape}] needs ${count * BYTES[dtype]} bytes, its offsets span ${end - begin}`,
      );
    }
    if (end > dataLen)
      throw new CheckpointError(
        `safetensors: tensor ${name} ends at byte ${end} of the data but the data section has ${dataLen} bytes (truncated?)`,
      );
    spans.push({ name, dtype, shape, begin: dataStart + begin, end: dataStart + end });
  }
  // Resource guard (budget.ts): what decoding will allocate, checked before any of it is.
  const limits = backendLimits();
  let decoded = 0;
  for (const s of spans) {
    const bytes = s.shape.reduce((a, b) => a * b, 1) * 4;
    decoded += bytes;
    if (bytes > limits.maxBufferBytes)
      throw new CheckpointError(
        `safetensors: tensor ${s.name} [${s.shape}] decodes to ${bytes} bytes, over the per-buffer limit ${limits.maxBufferBytes} (${limits.source})`,
      );
  }
  if (decoded > limits.totalBytes)
    throw new CheckpointError(
      `safetensors: the tensors decode to ${decoded} bytes, over the limit ${limits.totalBytes} (${limits.source})`,
    );
  // The format requires the data section to be exactly covered, without holes or overlaps.
  let cursor = dataStart;
  for (const s of [...spans].sort((a, b) => a.begin - b.begin)) {
    if (s.begin !== cursor)
      throw new CheckpointError(
        `safetensors: tensor ${s.name} starts at ${s.begin - dataStart}, expected ${cursor - dataStart} (overlap or hole in the data)`,
      );
    cursor = s.end;
  }
  if (cursor !== fileSize)
    throw new CheckpointError(
      `safetensors: header describes ${cursor - dataStart} data bytes but the file has ${dataLen}`,
    );
  return spans;
}

/** Decodes one entry's raw bytes (exactly end - begin of them). */
export function decodeSafetensorsEntry(entry: SafetensorsEntry, raw: Uint8Array): Float32Array | Int32Array {
  const count = entry.shape.reduce((a, b) => a * b, 1);
  if (raw.length !== entry.end - entry.begin)
    throw new CheckpointError(
      `safetensors: tensor ${entry.name}: read ${raw.length} bytes, expected ${entry.end - entry.begin}`,
    );
  return decode(raw, 0, count, entry.dtype, entry.name);
}

/** Parses a safetensors file; `metadata` gets the `__metadata__` strings. */
export function parseSafetensors(bytes: Uint8Array, metadata?: Record<string, string>): Map<string, SafeTensor> {
  const entries = parseSafetensorsHeader(bytes, bytes.length, metadata);
  const out = new Map<string, SafeTensor>();
  for (const e of entries)
    out.set(e.name, {
      dtype: e.dtype,
      shape: e.shape,
      data: decodeSafetensorsEntry(e, bytes.subarray(e.begin, e.end)),
    });
  return out;
}

function decode(
  bytes: Uint8Array,
  start: number,
  count: number,
  dtype: SafetensorsDtype,
  name: string,
): Float32Array | Int32Array {
  // Copy first: the data may not be 4-byte aligned inside the file buffer.
  const raw = bytes.slice(start, start + count * BYTES[dtype]);
  const dv = new DataView(raw.buffer);
  switch (dtype) {
    case 'F32': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = dv.getFloat32(i * 4, true);
      return out;
    }
    case 'I32': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = dv.getInt32(i * 4, true);
      return out;
    }
    case 'I64': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        const v = dv.getBigInt64(i * 8, true);
        if (v > 2147483647n || v < -2147483648n)
          throw new CheckpointError(`safetensors: tensor ${name} holds int64 value ${v}, which does not fit int32`);
        out[i] = Number(v);
      }
      return out;
    }
    case 'F16': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = halfToFloat(dv.getUint16(i * 2, true));
      return out;
    }
    case 'BF16': {
      const out = new Float32Array(count);
      const u = new Uint32Array(out.buffer);
      for (let i = 0; i < count; i++) u[i] = dv.getUint16(i * 2, true) << 16;
      return out;
    }
  }
}

/** IEEE 754 binary16 → number (subnormals, infinities and NaN included). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/**
 * Writes float32 / int32 tensors (in map order) with optional string metadata. The header is
 * padded with spaces to a multiple of 8 bytes so every tensor starts aligned.
 */
export function writeSafetensors(tensors: Map<string, WritableTensor>, metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of tensors) {
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length)
      throw new CheckpointError(
        `safetensors write: tensor ${name} has shape [${t.shape}] (${count} values) but ${t.data.length} values`,
      );
    const dtype = t.data instanceof Float32Array ? 'F32' : 'I32';
    header[name] = { dtype, shape: t.shape, data_offsets: [offset, offset + count * 4] };
    offset += count * 4;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, json.length, true);
  out.set(json, 8);
  let pos = 8 + json.length;
  for (const t of tensors.values()) {
    for (let i = 0; i < t.data.length; i++) {
      if (t.data instanceof Float32Array) dv.setFloat32(pos, t.data[i], true);
      else dv.setInt32(pos, t.data[i], true);
      pos += 4;
    }
  }
  return out;
}
