/**
 * Accessible tabs (WAI-ARIA tabs pattern, automatic activation): one tab stop for the tab list,
 * Left/Right (and Home/End) move between tabs, Tab moves on into the visible panel.
 * The selected tab is mirrored in the URL hash (#train, #reflect, #evaluate).
 */
import { h } from './dom.ts';
export interface TabSpec {
  id: string;
  label: string;
  /** Called the first time the tab is shown: panels mount lazily, so Monaco or a model loads only when needed. */
  mount(panel: HTMLElement): void;
}

export function createTabs(
  host: HTMLElement,
  specs: TabSpec[],
  onChange?: (id: string) => void,
): { select(id: string): void } {
  const list = h('div', { class: 'tablist', role: 'tablist', 'aria-label': 'Panels' });
  const panels = h('div', { class: 'panels' });
  const mounted = new Set<string>();

  const tabs = specs.map((spec) => {
    const tab = h(
      'button',
      { type: 'button', id: `tab-${spec.id}`, class: 'tab', role: 'tab', 'aria-controls': `panel-${spec.id}` },
      spec.label,
    );
    const panel = h('section', {
      id: `panel-${spec.id}`,
      class: 'panel',
      role: 'tabpanel',
      'aria-labelledby': tab.id,
      tabindex: 0,
    });
    list.append(tab);
    panels.append(panel);
    return { spec, tab, panel };
  });

  function select(id: string, focus = false): void {
    const target = tabs.find((t) => t.spec.id === id) ?? tabs[0];
    for (const t of tabs) {
      const on = t === target;
      t.tab.setAttribute('aria-selected', String(on));
      t.tab.tabIndex = on ? 0 : -1;
      t.panel.hidden = !on;
    }
    if (!mounted.has(target.spec.id)) {
      mounted.add(target.spec.id);
      target.spec.mount(target.panel);
    }
    if (focus) target.tab.focus();
    if (location.hash !== `#${target.spec.id}`) history.replaceState(history.state, '', `#${target.spec.id}`);
    onChange?.(target.spec.id);
  }

  list.addEventListener('click', (ev) => {
    const t = tabs.find((x) => x.tab === (ev.target as HTMLElement).closest('[role=tab]'));
    if (t) select(t.spec.id);
  });
  list.addEventListener('keydown', (ev) => {
    const i = tabs.findIndex((x) => x.tab === document.activeElement);
    if (i < 0) return;
    const n = tabs.length;
    const next = { ArrowRight: (i + 1) % n, ArrowLeft: (i - 1 + n) % n, Home: 0, End: n - 1 }[ev.key];
    if (next === undefined) return;
    ev.preventDefault();
    select(tabs[next].spec.id, true);
  });
  window.addEventListener('hashchange', () => select(location.hash.slice(1)));

  host.append(list, panels);
  select(location.hash.slice(1));
  return { select: (id) => select(id) };
}
