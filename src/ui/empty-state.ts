import { h } from './dom.ts';

/** The card a panel shows before it has anything to display: what it will do, and how to start. */
export function renderEmptyState(
  root: HTMLElement,
  opts: { title: string; body: string[]; steps?: string[] },
): HTMLElement {
  const card = h(
    'div',
    { class: 'empty-state' },
    h('h2', {}, opts.title),
    ...opts.body.map((text) => h('p', {}, text)),
  );
  if (opts.steps?.length) card.append(h('ol', {}, ...opts.steps.map((s) => h('li', {}, s))));
  root.append(card);
  return card;
}
