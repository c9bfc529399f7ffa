/**
 * The status bar holds state only: backend (+ adapter and reason), Python, storage use and the running
 * jobs. Messages about an action are shown where the action was taken (src/ui/notice.ts).
 */
import type { BackendChoice } from '../api/backend.ts';
import { h } from './dom.ts';

export type PyodideState = 'not started' | 'loading' | 'ready' | 'error';

export interface StatusBar {
  setBackend(choice: BackendChoice | null, pending?: string): void;
  setPyodide(state: PyodideState, detail?: string): void;
  /** A running job (training, an evaluation, a reflection loop): `text` null removes it. */
  setJob(id: string, text: string | null): void;
  /**
   * For actions taken outside a panel (the header's backend Check) and hooks without a place of their own:
   * shown in the dismissable notice under the header, never in the status bar.
   */
  setMessage(text: string, kind?: 'info' | 'error'): void;
  refreshStorage(): Promise<void>;
}

export function formatBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return `${n.toFixed(n < 10 && i > 0 ? 1 : 0)} ${units[i]}`;
}

function item(label: string, testId: string, title: string): { root: HTMLElement; value: HTMLElement } {
  const value = h('span', { class: 'status-value', testid: testId });
  const root = h('div', { class: 'status-item', title }, h('span', { class: 'status-label' }, label), value);
  return { root, value };
}

export interface StatusBarOptions {
  /** Where setMessage writes (the header notice). */
  message?: { info(text: string): void; error(text: string): void };
  /** Bytes the app knows it stored (checkpoints, datasets): the browser's estimate can lag behind writes. */
  knownBytes?: () => Promise<number>;
}

export function createStatusBar(root: HTMLElement, opts: StatusBarOptions = {}): StatusBar {
  // The footer stays a contentinfo landmark; not a live region (the job text changes every training step).
  root.setAttribute('aria-label', 'App status');
  const backend = item('Backend', 'status-backend', 'tfjs backend of the workers');
  const reason = h('span', { class: 'status-reason', testid: 'status-reason' });
  backend.root.append(reason);
  backend.root.classList.add('status-backend');
  const pyodide = item('Python', 'status-pyodide', 'The Pyodide interpreter (starts on the first run)');
  const storage = item('Storage', 'status-storage', 'Space this site uses in the browser, of what it may use');
  const jobs = item('Jobs', 'status-jobs', 'What is running now');
  jobs.root.classList.add('status-jobs');
  const running = new Map<string, string>();
  const renderJobs = (): void => {
    jobs.value.textContent = [...running.values()].join(' · ');
    jobs.value.title = jobs.value.textContent;
    jobs.root.hidden = running.size === 0;
  };
  renderJobs();
  root.append(backend.root, pyodide.root, storage.root, jobs.root);

  return {
    setBackend(choice, pending) {
      if (!choice) {
        backend.value.textContent = pending ?? 'selecting…';
        backend.value.dataset.backend = '';
        reason.textContent = '';
        return;
      }
      backend.value.textContent = choice.threads
        ? `${choice.backend} · ${choice.threads} thread${choice.threads > 1 ? 's' : ''}`
        : choice.backend;
      backend.value.dataset.backend = choice.backend;
      backend.value.dataset.threads = choice.threads ? String(choice.threads) : '';
      const adapter = choice.adapter
        ? `${choice.adapter}${choice.isFallbackAdapter ? ' (fallback)' : ''}`
        : 'no WebGPU adapter';
      reason.textContent = `${adapter} · ${choice.reason}`;
      reason.title = reason.textContent;
    },
    setPyodide(state, detail) {
      pyodide.value.textContent = detail ? `${state} (${detail})` : state;
      pyodide.value.title = pyodide.value.textContent;
      pyodide.value.dataset.state = state;
    },
    setJob(id, text) {
      if (text) running.set(id, text);
      else running.delete(id);
      renderJobs();
    },
    setMessage(text, kind = 'info') {
      if (kind === 'error') opts.message?.error(text);
      else opts.message?.info(text);
    },
    async refreshStorage() {
      let usage = 0;
      let quota = 0;
      if (navigator.storage?.estimate)
        ({ usage = 0, quota = 0 } = await navigator.storage.estimate().catch(() => ({ usage: 0, quota: 0 })));
      const known = opts.knownBytes ? await opts.knownBytes().catch(() => 0) : 0;
      const used = Math.max(usage, known);
      storage.value.textContent = quota || used ? formatBytes(used) : 'unknown';
      if (quota) storage.value.append(h('span', { class: 'status-quota' }, ` of ${formatBytes(quota)}`));
      storage.value.dataset.bytes = String(used);
    },
  };
}
