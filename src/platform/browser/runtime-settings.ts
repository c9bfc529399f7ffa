/// <reference lib="webworker" />
/**
 * The worker side of the page's runtime settings (src/ui/bridge.ts sends them as a tfjs worker's
 * first message). Install before Comlink.expose: the settings message is consumed here and never
 * reaches comlink.
 */
import { RUNTIME_SETTINGS_KEY, type RuntimeSettings } from '../../api/backend.ts';

let current: RuntimeSettings = {};

export function listenForRuntimeSettings(scope: {
  addEventListener(type: 'message', l: (ev: MessageEvent) => void): void;
}): void {
  scope.addEventListener('message', (ev: MessageEvent) => {
    const data = ev.data as Record<string, unknown> | null;
    if (!data || typeof data !== 'object' || !(RUNTIME_SETTINGS_KEY in data)) return;
    ev.stopImmediatePropagation();
    const s = data[RUNTIME_SETTINGS_KEY] as RuntimeSettings;
    current = { ...(Number.isInteger(s?.wasmThreads) && s.wasmThreads! >= 1 ? { wasmThreads: s.wasmThreads } : {}) };
  });
}

export function runtimeSettings(): RuntimeSettings {
  return current;
}
