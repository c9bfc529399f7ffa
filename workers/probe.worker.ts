/// <reference lib="webworker" />
/** Probe worker: picks the tfjs backend inside a worker (where training runs) and checks it. */
import * as Comlink from 'comlink';
import type { ProbeApi } from '../src/api/probe.ts';
import { selectBackend } from '../src/platform/browser/backend.ts';
import { listenForRuntimeSettings } from '../src/platform/browser/runtime-settings.ts';
import { createProbeService } from '../src/services/probe.ts';

const api: ProbeApi = createProbeService((pref) => selectBackend(pref));
// The page's first message carries the runtime settings (wasm threads); consumed before comlink sees it.
listenForRuntimeSettings(self);
Comlink.expose(api);
