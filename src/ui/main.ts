/**
 * The app shell: header (title + backend setting), three tabbed panels, status bar.
 * Order matters for the cold start: the shell renders first, the probe worker (tfjs) loads in the
 * background, and the app counts as ready when the first panel is mounted and the status bar
 * shows the backend (window.__appReadyMs, measured from navigation start).
 */
import './styles.css';
import { BACKEND_PREFERENCES, type BackendPreference } from '../api/backend.ts';
import type { ProbeApi } from '../api/probe.ts';
import { createWorkerBridge } from './bridge.ts';
import { createAppContext } from './context.ts';
import { mountEvaluatePanel } from './panels/evaluate.ts';
import { mountReflectPanel } from './panels/reflect.ts';
import { mountTrainPanel } from './panels/train.ts';
import { mountThreadsSetting, readBackendPreference, saveBackendPreference } from './settings.ts';
import { createStatusBar } from './status.ts';
import { createTabs } from './tabs.ts';

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`index.html is missing #${id}`);
  return el as T;
}

const status = createStatusBar(byId('status'));
status.setPyodide('not started');
void status.refreshStorage();
// Checkpoints and datasets land in IndexedDB from workers; keep the figure current while visible.
setInterval(() => {
  if (document.visibilityState === 'visible') void status.refreshStorage();
}, 15_000);

const initial = readBackendPreference();
if (initial.warning) status.setMessage(initial.warning, 'error');

const probe = createWorkerBridge<ProbeApi>(
  () => new Worker(new URL('../../workers/probe.worker.ts', import.meta.url), { type: 'module', name: 'probe' }),
  { onError: (m) => status.setMessage(`Backend probe worker failed: ${m}`, 'error') },
);
const ctx = createAppContext({ pref: initial.pref, status, probe, save: saveBackendPreference });

// Settings: the backend preference (saved in localStorage; ?backend= overrides it for one load).
const select = byId<HTMLSelectElement>('backend-select');
for (const p of BACKEND_PREFERENCES) select.add(new Option(p, p, false, p === ctx.backendPreference));
select.addEventListener('change', () => ctx.setBackendPreference(select.value as BackendPreference));

// "Check": a seeded matmul on the selected backend against tfjs's cpu reference, inside the worker.
const check = byId<HTMLButtonElement>('backend-check');
check.addEventListener('click', async () => {
  check.disabled = true;
  status.setMessage('Checking the backend: 256×256 matmul against the cpu reference…');
  try {
    const r = await (await probe.get()).matmulCheck(256);
    const ok = r.maxAbsDiff < 1e-3;
    status.setMessage(
      `${r.backend}: 256×256 matmul ${ok ? 'matches' : 'DIFFERS from'} cpu (max |diff| ${r.maxAbsDiff.toExponential(1)}) in ${r.ms.toFixed(1)} ms (cpu ${r.cpuMs.toFixed(1)} ms)`,
      ok ? 'info' : 'error',
    );
  } catch (e) {
    status.setMessage(`Backend check failed: ${(e as Error).message}`, 'error');
  } finally {
    check.disabled = false;
  }
});

async function runProbe(): Promise<void> {
  ctx.setBackendChoice(null);
  try {
    const choice = await (await probe.get()).probe(ctx.backendPreference);
    ctx.setBackendChoice(choice);
  } catch (e) {
    status.setBackend(null, 'unavailable');
    status.setMessage(`No tfjs backend could start: ${(e as Error).message}`, 'error');
  }
}
// Settings: wasm threads; a change restarts the probe worker so the status bar shows the new count.
mountThreadsSetting(check, () => {
  probe.terminate();
  void runProbe();
});

// A new preference gets a fresh worker: tfjs keeps backends registered per worker.
ctx.onBackendPreferenceChange(() => {
  probe.terminate();
  void runProbe();
});

createTabs(byId('app'), [
  { id: 'train', label: 'Train', mount: (el) => mountTrainPanel(el, ctx) },
  { id: 'reflect', label: 'Reflect', mount: (el) => mountReflectPanel(el, ctx) },
  { id: 'evaluate', label: 'Evaluate', mount: (el) => mountEvaluatePanel(el, ctx) },
]);

void runProbe().then(() => {
  window.__appReadyMs = performance.now();
  performance.mark('rcw:ready');
  document.documentElement.dataset.ready = 'true';
});
