/**
 * Named errors, in one place. comlink keeps only `name`, `message` and `stack` across a worker
 * boundary, so callers switch on `err.name`; messages say what was expected, what was found,
 * and how to fix it.
 */
export class AppError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A config object with an unknown key or an impossible value. */
export class ConfigError extends AppError {}
/** A checkpoint / weights file that cannot be read: truncated, corrupt, wrong dtype, missing tensors. */
export class CheckpointError extends AppError {}
/** Input data (JSONL records, datasets) that does not follow the expected format. */
export class DataFormatError extends AppError {}
/** A tensor shape that does not fit the model. */
export class ShapeError extends AppError {}
/** Storage (IndexedDB, files) refused a write: quota exceeded, blocked, missing. */
export class StorageError extends AppError {}
/** The Python runtime could not be started or crashed. */
export class PythonRuntimeError extends AppError {}
/** A command-line usage mistake. */
export class UsageError extends AppError {}
/** A requested backend is not available here. */
export class BackendError extends AppError {}
/** A text generator (OpenAI-compatible endpoint, scripted turns, local model) failed or answered out of format. */
export class GeneratorError extends AppError {}
/**
 * Stored bytes do not match the digest written with them (a flipped byte, a truncated file, an
 * edited checkpoint.json). The message names the damaged file and what the store offers instead.
 */
export class IntegrityError extends AppError {
  override name = 'IntegrityError';
}
