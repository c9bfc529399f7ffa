/**
 * What every panel gets: the backend preference (with change notifications), the status-bar
 * setters and the shared worker bridges. Panels create their own bridges for their own workers
 * with createWorkerBridge (src/ui/bridge.ts) and read `backendPreference` when they start one.
 */
import type { BackendChoice, BackendPreference } from '../api/backend.ts';
import type { ProbeApi } from '../api/probe.ts';
import type { WorkerBridge } from './bridge.ts';
import type { PyodideState, StatusBar } from './status.ts';

export interface AppContext {
  /** The user's choice (URL parameter, saved setting or `auto`). Workers pass it to selectBackend. */
  readonly backendPreference: BackendPreference;
  /** Saves a new preference (localStorage + URL), re-probes, and notifies listeners. */
  setBackendPreference(pref: BackendPreference): void;
  /** Called after the preference changes; returns an unsubscribe function. */
  onBackendPreferenceChange(listener: (pref: BackendPreference) => void): () => void;
  /** What the probe worker selected for the current preference (null until it answers). */
  readonly backendChoice: BackendChoice | null;
  /** Status-bar setters. */
  readonly status: StatusBar;
  /** Shorthand for status.setPyodide: "not started" until a panel starts Python. */
  setPyodideState(state: PyodideState, detail?: string): void;
  /** Shared workers. */
  readonly bridges: { readonly probe: WorkerBridge<ProbeApi> };
}

export interface AppContextInit {
  pref: BackendPreference;
  status: StatusBar;
  probe: WorkerBridge<ProbeApi>;
  save(pref: BackendPreference): void;
}

export function createAppContext(
  init: AppContextInit,
): AppContext & { setBackendChoice(c: BackendChoice | null): void } {
  let pref = init.pref;
  let choice: BackendChoice | null = null;
  const listeners = new Set<(p: BackendPreference) => void>();
  return {
    get backendPreference() {
      return pref;
    },
    setBackendPreference(next) {
      if (next === pref) return;
      pref = next;
      init.save(next);
      for (const l of listeners) l(next);
    },
    onBackendPreferenceChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    get backendChoice() {
      return choice;
    },
    setBackendChoice(c) {
      choice = c;
      init.status.setBackend(c);
    },
    status: init.status,
    setPyodideState(state, detail) {
      init.status.setPyodide(state, detail);
    },
    bridges: { probe: init.probe },
  };
}
