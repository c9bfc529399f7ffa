/** The card a panel shows before it has anything to display: what it will do, and how to start. */
export function renderEmptyState(root: HTMLElement, opts: { title: string; body: string[]; steps?: string[] }): HTMLElement {
  const card = document.createElement('div');
  card.className = 'empty-state';
  const h = document.createElement('h2');
  h.textContent = opts.title;
  card.append(h);
  for (const text of opts.body) {
    const p = document.createElement('p');
    p.textContent = text;
    card.append(p);
  }
  if (opts.steps?.length) {
    const ol = document.createElement('ol');
    for (const s of opts.steps) {
      const li = document.createElement('li');
      li.textContent = s;
      ol.append(li);
    }
    card.append(ol);
  }
  root.append(card);
  return card;
}
