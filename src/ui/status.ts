/** The status bar: backend + adapter + reason, Pyodide state, storage use, and one message slot. */
import type { BackendChoice } from '../api/backend.ts';

export type PyodideState = 'not started' | 'loading' | 'ready' | 'error';

export interface StatusBar {
  setBackend(choice: BackendChoice | null, pending?: string): void;
  setPyodide(state: PyodideState, detail?: string): void;
  setMessage(text: string, kind?: 'info' | 'error'): void;
  refreshStorage(): Promise<void>;
}

function formatBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return `${n.toFixed(n < 10 && i > 0 ? 1 : 0)} ${units[i]}`;
}

function item(label: string, testId: string): { root: HTMLElement; value: HTMLElement } {
  const root = document.createElement('div');
  root.className = 'status-item';
  const l = document.createElement('span');
  l.className = 'status-label';
  l.textContent = label;
  const value = document.createElement('span');
  value.className = 'status-value';
  value.dataset.testid = testId;
  root.append(l, value);
  return { root, value };
}

export function createStatusBar(root: HTMLElement): StatusBar {
  root.setAttribute('role', 'status');
  root.setAttribute('aria-live', 'polite');
  const backend = item('Backend', 'status-backend');
  const reason = document.createElement('span');
  reason.className = 'status-reason';
  reason.dataset.testid = 'status-reason';
  backend.root.append(reason);
  backend.root.classList.add('status-backend');
  const pyodide = item('Python', 'status-pyodide');
  const storage = item('Storage', 'status-storage');
  const message = document.createElement('div');
  message.className = 'status-message';
  message.dataset.testid = 'status-message';
  root.append(backend.root, pyodide.root, storage.root, message);

  return {
    setBackend(choice, pending) {
      if (!choice) {
        backend.value.textContent = pending ?? 'selecting…';
        backend.value.dataset.backend = '';
        reason.textContent = '';
        return;
      }
      backend.value.textContent = choice.threads ? `${choice.backend} · ${choice.threads} thread${choice.threads > 1 ? 's' : ''}` : choice.backend;
      backend.value.dataset.backend = choice.backend;
      backend.value.dataset.threads = choice.threads ? String(choice.threads) : '';
      const adapter = choice.adapter ? `${choice.adapter}${choice.isFallbackAdapter ? ' (fallback)' : ''}` : 'no WebGPU adapter';
      reason.textContent = `${adapter} · ${choice.reason}`;
      reason.title = reason.textContent;
    },
    setPyodide(state, detail) {
      pyodide.value.textContent = detail ? `${state} (${detail})` : state;
      pyodide.value.dataset.state = state;
    },
    setMessage(text, kind = 'info') {
      message.textContent = text;
      message.dataset.kind = kind;
    },
    async refreshStorage() {
      if (!navigator.storage?.estimate) {
        storage.value.textContent = 'unknown';
        return;
      }
      const { usage = 0, quota = 0 } = await navigator.storage.estimate();
      storage.value.textContent = `${formatBytes(usage)} of ${formatBytes(quota)}`;
    },
  };
}
