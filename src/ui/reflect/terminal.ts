import { h } from '../dom.ts';

/** An execution block as terminal output: the failing line of each frame and the exception line marked. */
export function renderTerminal(text: string, el: HTMLElement = h('pre')): HTMLElement {
  el.className = 'rc-terminal';
  el.textContent = '';
  const lines = text.split('\n');
  const last = lines.length - 1 - [...lines].reverse().findIndex((l) => l.trim() !== '');
  lines.forEach((line, i) => {
    const cls = /^-*> ?\d+ /.test(line)
      ? 'rc-failing-line'
      : i === last && /^\w+(\.\w+)*: /.test(line)
        ? 'rc-exc-line'
        : undefined;
    el.append(h('span', { class: cls }, line + (i < lines.length - 1 ? '\n' : '')));
  });
  return el;
}
