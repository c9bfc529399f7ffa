/**
 * The backend preference: `?backend=webgpu|wasm|cpu|auto` wins for this page load, otherwise the
 * value saved by the settings control in localStorage, otherwise `auto`.
 */
import {
  BACKEND_PREFERENCES,
  isBackendPreference,
  type BackendPreference,
  type RuntimeSettings,
} from '../api/backend.ts';
import { h } from './dom.ts';

const STORAGE_KEY = 'rcw.backend';

export interface PreferenceSource {
  pref: BackendPreference;
  source: 'url' | 'saved' | 'default';
  /** Set when ?backend= held something unknown (it is then ignored). */
  warning?: string;
}

export function readBackendPreference(search: string = location.search): PreferenceSource {
  const fromUrl = new URLSearchParams(search).get('backend');
  let warning: string | undefined;
  if (fromUrl !== null) {
    if (isBackendPreference(fromUrl)) return { pref: fromUrl, source: 'url' };
    warning = `The address asks for ?backend=${fromUrl}, which this app does not know; it was ignored. Choose one of ${BACKEND_PREFERENCES.join(', ')}.`;
  }
  let saved: string | null = null;
  try {
    saved = localStorage.getItem(STORAGE_KEY);
  } catch {
    // Storage can be disabled (privacy mode); the default is fine then.
  }
  if (isBackendPreference(saved)) return { pref: saved, source: 'saved', warning };
  return { pref: 'auto', source: 'default', warning };
}

/** Saves the preference and mirrors it into the URL so a reload (or a shared link) keeps it. */
export function saveBackendPreference(pref: BackendPreference): void {
  try {
    localStorage.setItem(STORAGE_KEY, pref);
  } catch {
    // Not persisted; the URL below still carries it for this tab.
  }
  const url = new URL(location.href);
  if (pref === 'auto') url.searchParams.delete('backend');
  else url.searchParams.set('backend', pref);
  history.replaceState(history.state, '', url);
}

const THREADS_KEY = 'rcw.wasmThreads';
/** Upper bound of the setting: emscripten's pthread pool in tfjs-backend-wasm has 8 workers. */
export const MAX_WASM_THREADS = 8;

function parseThreads(v: string | null): number | undefined {
  if (v === null || !/^\d+$/.test(v)) return undefined;
  const n = Number(v);
  return n >= 1 && n <= MAX_WASM_THREADS ? n : undefined;
}

/**
 * Settings for tfjs workers: `?threads=N` wins for this page load, else the saved value, else
 * none (the worker uses navigator.hardwareConcurrency).
 */
export function readRuntimeSettings(search: string = location.search): RuntimeSettings {
  let saved: string | null = null;
  try {
    saved = localStorage.getItem(THREADS_KEY);
  } catch {
    // Storage disabled: the default.
  }
  const wasmThreads = parseThreads(new URLSearchParams(search).get('threads')) ?? parseThreads(saved);
  return wasmThreads === undefined ? {} : { wasmThreads };
}

/** Saves the wasm thread count (undefined = every core); workers started afterwards use it. */
export function saveWasmThreads(n: number | undefined): void {
  try {
    if (n === undefined) localStorage.removeItem(THREADS_KEY);
    else localStorage.setItem(THREADS_KEY, String(n));
  } catch {
    // Not persisted.
  }
  const url = new URL(location.href);
  if (url.searchParams.has('threads')) {
    url.searchParams.delete('threads');
    history.replaceState(history.state, '', url);
  }
}

/**
 * The "Threads" control (wasm), placed after `anchor`: "all" (= navigator.hardwareConcurrency) or
 * 1…8. A change is saved and `onChange` restarts the probe worker; running trainer workers keep
 * their pool until they restart (XNNPACK creates it once per wasm instance).
 */
export function mountThreadsSetting(anchor: HTMLElement, onChange: () => void): HTMLSelectElement {
  const label = h('label', { for: 'threads-select' }, 'Threads');
  const select = h('select', {
    id: 'threads-select',
    testid: 'threads-select',
    title: 'wasm threads for workers started from now on (saved; ?threads= overrides)',
  });
  const current = readRuntimeSettings().wasmThreads;
  select.add(new Option(`all (${navigator.hardwareConcurrency ?? 1})`, '', false, current === undefined));
  for (let n = 1; n <= MAX_WASM_THREADS; n++) select.add(new Option(String(n), String(n), false, current === n));
  select.addEventListener('change', () => {
    saveWasmThreads(select.value ? Number(select.value) : undefined);
    onChange();
  });
  anchor.after(label, select);
  return select;
}
