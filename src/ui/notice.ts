/**
 * A message shown where the action was taken: an error stays until the user dismisses it, acts again
 * (the next info/error replaces it) or the caller clears it because the condition is gone. Info notes are
 * quiet (role=status); errors are announced (role=alert) and carry a Dismiss button.
 */
import { humanMessage } from './messages.ts';
import { h } from './dom.ts';

export interface Notice {
  readonly el: HTMLElement;
  info(text: string): void;
  /** Shows an error: a string as written, anything else through humanMessage. */
  error(e: unknown): void;
  clear(): void;
  /** The text on screen ('' when nothing is shown). */
  readonly text: string;
  readonly kind: 'info' | 'error' | null;
}

export function createNotice(testid: string): Notice {
  const text = h('span', { class: 'notice-text', testid: `${testid}-text` });
  const dismiss = h(
    'button',
    { type: 'button', class: 'notice-dismiss', 'aria-label': 'Dismiss this message', title: 'Dismiss' },
    '×',
  );
  const el = h('div', { class: 'notice', testid, hidden: true }, text, dismiss);
  let kind: 'info' | 'error' | null = null;
  const show = (t: string, k: 'info' | 'error'): void => {
    kind = k;
    text.textContent = t;
    el.dataset.kind = k;
    el.setAttribute('role', k === 'error' ? 'alert' : 'status');
    el.hidden = !t;
  };
  const clear = (): void => {
    kind = null;
    delete el.dataset.errorName;
    text.textContent = '';
    delete el.dataset.kind;
    el.hidden = true;
  };
  dismiss.addEventListener('click', clear);
  return {
    el,
    info: (t) => show(t, 'info'),
    error: (e) => {
      show(typeof e === 'string' ? e : humanMessage(e), 'error');
      // The error's class name, for code and tests (literal names survive minification); the text has none.
      const name = typeof e === 'object' && e !== null ? (e as { name?: unknown }).name : undefined;
      if (typeof name === 'string') el.dataset.errorName = name;
      else delete el.dataset.errorName;
    },
    clear,
    get text() {
      return text.textContent ?? '';
    },
    get kind() {
      return kind;
    },
  };
}
