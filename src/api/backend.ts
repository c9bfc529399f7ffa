/** Which tfjs backend a worker (or the CLI) runs on, and why. Plain data: crosses comlink as is. */
export type BackendName = 'webgpu' | 'wasm' | 'cpu';

/** What the user asked for: a backend by name, or `auto` (the rules in README "Decisions"). */
export type BackendPreference = 'auto' | BackendName;

export const BACKEND_PREFERENCES: readonly BackendPreference[] = ['auto', 'webgpu', 'wasm', 'cpu'];

export interface BackendChoice {
  backend: BackendName;
  /** Human-readable adapter description (vendor / architecture / device), when a WebGPU adapter was found. */
  adapter?: string;
  /** True when the WebGPU adapter is a software fallback (SwiftShader): correct but slower than wasm. */
  isFallbackAdapter?: boolean;
  /** One sentence saying why this backend was chosen (shown in the status bar). */
  reason: string;
  /** wasm only: threads XNNPACK runs on (1 = the single-threaded SIMD build). */
  threads?: number;
}

/**
 * Settings the page sends to a tfjs worker as its first message (src/ui/bridge.ts), before any
 * comlink call: `{ [RUNTIME_SETTINGS_KEY]: RuntimeSettings }`.
 */
export interface RuntimeSettings {
  /** wasm threads; absent = navigator.hardwareConcurrency. */
  wasmThreads?: number;
}
export const RUNTIME_SETTINGS_KEY = 'rcwRuntimeSettings';

export function isBackendPreference(v: unknown): v is BackendPreference {
  return typeof v === 'string' && (BACKEND_PREFERENCES as readonly string[]).includes(v);
}
