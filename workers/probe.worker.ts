/// <reference lib="webworker" />
/** Probe worker: picks the tfjs backend inside a worker (where training runs) and checks it. */
import * as Comlink from 'comlink';
import type { ProbeApi } from '../src/api/probe.ts';
import { selectBackend } from '../src/platform/browser/backend.ts';
import { createProbeService } from '../src/services/probe.ts';

const api: ProbeApi = createProbeService((pref) => selectBackend(pref));
Comlink.expose(api);
