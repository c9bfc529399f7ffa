/**
 * The backend preference: `?backend=webgpu|wasm|cpu|auto` wins for this page load, otherwise the
 * value saved by the settings control in localStorage, otherwise `auto`.
 */
import { BACKEND_PREFERENCES, isBackendPreference, type BackendPreference } from '../api/backend.ts';

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
