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
import { mountEvaluate } from './eval/panel.ts';
import { mountModelFolder } from './model-folder/panel.ts';
import { mountReflectPanel } from './reflect/panel.ts';
import { mountTrain } from './train/panel.ts';
import { mountThreadsSetting, readBackendPreference, saveBackendPreference } from './settings.ts';
import { humanMessage } from './messages.ts';
import { createNotice } from './notice.ts';
import { createStatusBar } from './status.ts';
import { IdbStore } from '../page/stores.ts';
import { createTabs } from './tabs.ts';

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`index.html is missing #${id}`);
  return el as T;
}

// The header's own notice: results of its Check button, and messages from hooks without a place of their own.
const headerNotice = createNotice('header-notice');
headerNotice.el.classList.add('header-notice');
document.querySelector('.app-header')?.append(headerNotice.el);

/** Checkpoint bytes in IndexedDB: the browser's usage estimate can trail fresh writes (and says 0 B then). */
async function knownBytes(): Promise<number> {
  const s = await IdbStore.open();
  try {
    return (await s.listCheckpoints()).reduce((sum, m) => sum + (m.bytes || 0), 0);
  } finally {
    s.close();
  }
}

const status = createStatusBar(byId('status'), { message: headerNotice, knownBytes });
status.setPyodide('not started');
void status.refreshStorage();
// Checkpoints and datasets land in IndexedDB from workers; keep the figure current while visible.
setInterval(() => {
  if (document.visibilityState === 'visible') void status.refreshStorage();
}, 15_000);

const initial = readBackendPreference();
if (initial.warning) headerNotice.error(initial.warning);

const probe = createWorkerBridge<ProbeApi>(
  () => new Worker(new URL('../../workers/probe.worker.ts', import.meta.url), { type: 'module', name: 'probe' }),
  { onError: (m) => headerNotice.error(`The backend probe stopped (${m}). Reload the page to try again.`) },
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
  headerNotice.info('Checking the backend: 256×256 matmul against the cpu reference…');
  try {
    const r = await (await probe.get()).matmulCheck(256);
    const ok = r.maxAbsDiff < 1e-3;
    const text = `${r.backend}: 256×256 matmul ${ok ? 'matches' : 'DIFFERS from'} cpu (max |diff| ${r.maxAbsDiff.toExponential(1)}) in ${r.ms.toFixed(1)} ms (cpu ${r.cpuMs.toFixed(1)} ms)`;
    if (ok) headerNotice.info(text);
    else headerNotice.error(`${text}. Choose another backend in the list.`);
  } catch (e) {
    headerNotice.error(`The backend check failed: ${humanMessage(e)}`);
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
    headerNotice.error(
      `No tfjs backend could start: ${humanMessage(e)} Choose another backend in the list, or reload the page.`,
    );
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
  {
    id: 'train',
    label: 'Train',
    // From-scratch training, then pretrained Hugging Face models (docs/pretrained.md).
    mount: (el) => {
      mountTrain(el, ctx);
      mountModelFolder(el, ctx);
    },
  },
  { id: 'reflect', label: 'Reflect', mount: (el) => mountReflectPanel(el, ctx) },
  { id: 'evaluate', label: 'Evaluate', mount: (el) => mountEvaluate(el, ctx) },
  {
    id: 'experiment',
    label: 'Experiment',
    mount: (el) => void import('./experiment/panel.ts').then((m) => m.mountExperimentPanel(el, ctx)),
  },
]);

void runProbe().then(() => {
  window.__appReadyMs = performance.now();
  performance.mark('rcw:ready');
  document.documentElement.dataset.ready = 'true';
});
