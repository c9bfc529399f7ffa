/**
 * The Reflect panel's keyboard: while the panel is the visible tab, ←/→ or j/k step through the blocks,
 * Ctrl/Cmd+Enter runs the block in focus (or the current one), and ? opens the list of keys. Keys typed into
 * an input, a select or the code editor belong to those (Ctrl/Cmd+Enter in the editor is handled by the
 * block itself).
 */
import { h } from '../dom.ts';
export interface ReflectKeyActions {
  step(delta: number): void;
  run(target: Element | null): void;
}

export const REFLECT_KEYS: [string, string][] = [
  ['← or k', 'previous block'],
  ['→ or j', 'next block'],
  ['Ctrl+Enter (⌘+Enter)', 'run the code block in focus, or the current one'],
  ['Esc, then Tab', 'leave a code editor (inside it, Tab indents)'],
  ['?', 'show or hide this list'],
  ['Esc', 'close this list'],
];

function editable(t: Element | null): boolean {
  return Boolean(t?.closest('input, textarea, select, .monaco-editor, [contenteditable="true"]'));
}

/** A small dialog listing the keys (native <dialog>: focus is trapped and Esc closes it). */
export function keysDialog(): { el: HTMLDialogElement; toggle(): void } {
  const el = h(
    'dialog',
    { class: 'rc-keys', testid: 'reflect-keys', 'aria-labelledby': 'rc-keys-title' },
    h('h3', { id: 'rc-keys-title' }, 'Keyboard'),
    h('dl', {}, ...REFLECT_KEYS.flatMap(([k, what]) => [h('dt', {}, h('kbd', {}, k)), h('dd', {}, what)])),
    h('button', { type: 'button', onclick: () => el.close() }, 'Close'),
  );
  return { el, toggle: () => (el.open ? el.close() : el.showModal()) };
}

/** Installs the handler on the document; it acts only while `panel` is visible. */
export function installReflectKeys(panel: HTMLElement, actions: ReflectKeyActions, help: { toggle(): void }): void {
  document.addEventListener('keydown', (ev) => {
    if (!panel.isConnected || panel.closest('[hidden]') || panel.offsetParent === null) return;
    const target = ev.target instanceof Element ? ev.target : null;
    // Another panel's or the header's controls are not ours.
    if (target && target !== document.body && !panel.contains(target) && !target.closest('dialog.rc-keys')) return;
    if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) {
      if (target?.closest('.monaco-editor')) return; // the block's own handler ran it
      ev.preventDefault();
      const form = target?.closest('form');
      if (form) return form.requestSubmit(); // in the loop builder: start the loop
      actions.run(target);
      return;
    }
    if (ev.ctrlKey || ev.metaKey || ev.altKey || editable(target)) return;
    const step = { ArrowRight: 1, j: 1, ArrowLeft: -1, k: -1 }[ev.key];
    if (step !== undefined) {
      ev.preventDefault();
      actions.step(step);
    } else if (ev.key === '?') {
      ev.preventDefault();
      help.toggle();
    }
  });
}
