/**
 * Named errors, in one place. comlink keeps only `name`, `message` and `stack` across a worker
 * boundary, so callers switch on `err.name`; messages say what was expected, what was found,
 * and how to fix it.
 */
export class AppError extends Error {
  // Literal names, never read from the constructor at run time: a minifier renames classes (`d5 = class extends u5`), and the
  // name is what crosses the worker boundary and what the UI switches on.
  override name = 'AppError';
}

/** A config object with an unknown key or an impossible value. */
export class ConfigError extends AppError {
  override name = 'ConfigError';
}
/** A checkpoint / weights file that cannot be read: truncated, corrupt, wrong dtype, missing tensors. */
export class CheckpointError extends AppError {
  override name = 'CheckpointError';
}
/** Input data (JSONL records, datasets) that does not follow the expected format. */
export class DataFormatError extends AppError {
  override name = 'DataFormatError';
}
/** A tensor shape that does not fit the model. */
export class ShapeError extends AppError {
  override name = 'ShapeError';
}
/** Storage (IndexedDB, files) refused a write: quota exceeded, blocked, missing. */
export class StorageError extends AppError {
  override name = 'StorageError';
}
/** The Python runtime could not be started or crashed. */
export class PythonRuntimeError extends AppError {
  override name = 'PythonRuntimeError';
}
/** A command-line usage mistake. */
export class UsageError extends AppError {
  override name = 'UsageError';
}
/** A requested backend is not available here. */
export class BackendError extends AppError {
  override name = 'BackendError';
}
/** A text generator (OpenAI-compatible endpoint, scripted turns, local model) failed or answered out of format. */
export class GeneratorError extends AppError {
  override name = 'GeneratorError';
}
/** A tokenizer.json / tokenizer_config.json that cannot be used (unsupported model type, malformed). */
export class TokenizerError extends AppError {
  override name = 'TokenizerError';
}
/**
 * Stored bytes do not match the digest written with them (a flipped byte, a truncated file, an
 * edited checkpoint.json). The message names the damaged file and what the store offers instead.
 */
export class IntegrityError extends AppError {
  override name = 'IntegrityError';
}
