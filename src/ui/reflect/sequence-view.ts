/**
 * Steps through a reflection sequence block by block (buttons, ←/→): code blocks in Monaco (editable, with
 * Run), execution blocks as terminal output, analyses as text, and a C/E/A progress strip that also shows
 * the student mask overlay. Blocks can be appended live while a reflection loop runs.
 */
import type { PythonApi, RunResult } from '../../api/python.ts';
import { executionText } from '../../core/reflect/text.ts';
import type { Block } from '../../core/records/schema.ts';
import { renderTerminal } from './terminal.ts';
import { h } from '../dom.ts';

type Editor = { getValue(): string; dispose(): void };
type CreateEditor = (el: HTMLElement, value: string) => Editor;

const LETTER: Record<Block['type'], string> = { code: 'C', execution: 'E', text: 'A' };
const TITLE: Record<Block['type'], string> = { code: 'Code', execution: 'Execution', text: 'Analysis' };

export interface SequenceViewOptions {
  python: () => PythonApi;
  /** Loads Monaco lazily; the view shows code as plain text until it has loaded. */
  loadEditor: () => Promise<CreateEditor>;
  timeoutMs: () => number;
  onMessage: (text: string, kind?: 'info' | 'error') => void;
}

export class SequenceView {
  readonly el: HTMLElement;
  private readonly strip: HTMLElement;
  private readonly list: HTMLElement;
  private readonly position: HTMLElement;
  private blocks: Block[] = [];
  private cards: HTMLElement[] = [];
  private editors: (Editor | null)[] = [];
  private cursor = -1;
  private hidden: number[] | null = null;
  private hiddenChars: boolean[][] | null = null;
  private createEditor: CreateEditor | null = null;

  constructor(private readonly opts: SequenceViewOptions) {
    this.position = h('span', { class: 'rc-position', testid: 'reflect-position' });
    this.strip = h('ol', { class: 'rc-strip', 'aria-label': 'blocks: C code, E execution, A analysis' });
    this.list = h('div', { class: 'rc-blocks' });
    this.el = h(
      'section',
      {
        class: 'rc-sequence',
        tabindex: 0,
        testid: 'reflect-sequence',
        'aria-label': 'Reflection sequence: ← → or j k step through the blocks, Ctrl+Enter runs, ? lists the keys',
      },
      h(
        'div',
        { class: 'rc-nav' },
        this.button('◀ Prev', 'reflect-prev', () => this.step(-1)),
        this.button('Next ▶', 'reflect-next', () => this.step(1)),
        this.button('Show all', 'reflect-all', () => this.goTo(this.blocks.length - 1)),
        this.position,
        this.strip,
      ),
      this.list,
    );
    // Stepping keys are handled by the panel (src/ui/reflect/keys.ts) while it is active; Ctrl/Cmd+Enter
    // inside a code editor runs that block (captured before Monaco would insert a line).
    void opts.loadEditor().then(
      (create) => {
        this.createEditor = create;
        this.upgradeEditors();
      },
      (e: Error) => opts.onMessage(`The editor failed to load: ${e.message}`, 'error'),
    );
    this.render();
  }

  private button(label: string, testid: string, onClick: () => void): HTMLButtonElement {
    return h('button', { type: 'button', testid, onclick: onClick }, label);
  }

  /** Shows a new sequence, positioned on its first block (or on the last with `showAll`). */
  show(blocks: Block[], showAll = false): void {
    for (const e of this.editors) e?.dispose();
    this.blocks = blocks.map((b) => ({ ...b }));
    this.cards = [];
    this.editors = [];
    this.list.textContent = '';
    this.cursor = -1;
    this.goTo(showAll ? this.blocks.length - 1 : Math.min(0, this.blocks.length - 1));
  }

  /** Appends a block (a live reflection loop) and moves to it. */
  append(block: Block): void {
    this.blocks.push({ ...block });
    this.goTo(this.blocks.length - 1);
  }

  get length(): number {
    return this.blocks.length;
  }

  /** The student mask overlay: per-block hidden shares, and for token strategies the hidden characters. */
  setHidden(shares: number[] | null, chars: boolean[][] | null = null): void {
    this.hidden = shares;
    this.hiddenChars = chars;
    this.render();
  }

  /** Index of the block whose card contains `el` (-1 when none). */
  blockOf(el: Element | null): number {
    const card = el?.closest<HTMLElement>('.rc-block');
    return card ? this.cards.indexOf(card) : -1;
  }

  /** Index of the block shown as current (-1 when empty). */
  get current(): number {
    return this.cursor;
  }

  /** Runs the current block if it is code, else the nearest code block before it (any block, masked or not). */
  runCurrent(from: number = this.cursor): void {
    for (let i = Math.min(from, this.blocks.length - 1); i >= 0; i--) {
      if (this.blocks[i]?.type !== 'code') continue;
      const out = this.cards[i]?.querySelector<HTMLElement>('.rc-run-output');
      if (out) void this.run(i, out);
      return;
    }
    this.opts.onMessage('There is no code block at or before this one to run.', 'info');
  }

  step(delta: number): void {
    this.goTo(Math.max(0, Math.min(this.blocks.length - 1, this.cursor + delta)));
  }

  goTo(index: number): void {
    this.cursor = index;
    while (this.cards.length <= index) this.cards.push(this.card(this.cards.length));
    this.cards.forEach((c, i) => {
      c.hidden = i > index;
      c.classList.toggle('rc-current', i === index);
    });
    this.render();
    this.cards[index]?.scrollIntoView({ block: 'nearest' });
  }

  private render(): void {
    this.position.textContent = this.blocks.length ? `block ${this.cursor + 1} / ${this.blocks.length}` : 'no blocks';
    this.strip.textContent = '';
    this.blocks.forEach((b, i) => {
      const share = this.hidden?.[i] ?? 0;
      const chip = h(
        'button',
        {
          type: 'button',
          class: `rc-chip rc-chip-${b.type}${i > this.cursor ? ' rc-ahead' : ''}${share > 0 ? ' rc-masked' : ''}`,
          title:
            `${TITLE[b.type]} block ${i + 1}` +
            (share > 0 ? ` — hidden from the student (${Math.round(share * 100)}%)` : ''),
          tabindex: -1,
          'aria-current': i === this.cursor ? 'step' : undefined,
          onclick: () => this.goTo(i),
        },
        LETTER[b.type],
      );
      this.strip.append(h('li', {}, chip));
    });
    this.cards.forEach((c, i) => {
      const share = this.hidden?.[i] ?? 0;
      const tokens = this.hiddenChars?.[i] ?? null;
      // Token strategies: the characters are marked in a "student view" of the block, the block itself stays.
      c.classList.toggle('rc-masked', share > 0 && !tokens);
      c.dataset.hiddenShare = share.toFixed(2);
      c.querySelector('.rc-student-view')?.remove();
      if (tokens) c.append(this.studentView(this.blocks[i].content, tokens, share));
    });
  }

  /** The block's text with the characters the student does not see marked (runs of equal visibility grouped). */
  private studentView(content: string, hidden: boolean[], share: number): HTMLElement {
    const pre = h('pre');
    const chars = Array.from(content);
    let i = 0;
    while (i < chars.length) {
      const isHidden = hidden[i] ?? false;
      let j = i;
      while (j < chars.length && (hidden[j] ?? false) === isHidden) j++;
      pre.append(h('span', { class: isHidden ? 'rc-tok-hidden' : undefined }, chars.slice(i, j).join('')));
      i = j;
    }
    return h(
      'div',
      { class: 'rc-student-view', testid: 'reflect-student-view' },
      h('div', { class: 'rc-student-label' }, `Student view: ${Math.round(share * 100)}% of this block hidden`),
      pre,
    );
  }

  private card(i: number): HTMLElement {
    const b = this.blocks[i];
    const head = h('header', {}, `${LETTER[b.type]} · ${TITLE[b.type]} block ${i + 1}`);
    const card = h(
      'article',
      { class: `rc-block rc-block-${b.type}`, testid: `reflect-block-${i}`, 'data-type': b.type },
      head,
    );
    if (b.type === 'code') {
      const host = h(
        'div',
        { class: 'rc-code', style: `height: ${Math.min(420, 20 + 19 * b.content.split('\n').length)}px` },
        h('pre', {}, b.content),
      );
      card.append(host);
      const out = h('div', { class: 'rc-run-output', testid: `reflect-run-output-${i}` });
      const runBtn = this.button('Run ▶', `reflect-run-${i}`, () => void this.run(i, out));
      runBtn.title = 'Run this block in the Python session (Ctrl+Enter)';
      head.append(runBtn);
      card.append(out);
      host.addEventListener(
        'keydown',
        (ev) => {
          if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) {
            ev.preventDefault();
            ev.stopPropagation();
            void this.run(i, out);
          }
        },
        true,
      );
      this.editors[i] = null;
      if (this.createEditor) this.mountEditor(i, host);
    } else if (b.type === 'execution') {
      card.append(
        b.content
          ? renderTerminal(b.content)
          : h('p', { class: 'rc-note' }, '(no output: the code ran without errors)'),
      );
    } else {
      card.append(h('div', { class: 'rc-text' }, b.content));
    }
    this.list.append(card);
    return card;
  }

  private mountEditor(i: number, host: HTMLElement): void {
    host.textContent = '';
    this.editors[i] = this.createEditor!(host, this.blocks[i].content);
  }

  private upgradeEditors(): void {
    this.cards.forEach((card, i) => {
      const host = card.querySelector<HTMLElement>('.rc-code');
      if (host && !this.editors[i]) this.mountEditor(i, host);
    });
  }

  /** The code of block i as currently edited. */
  codeOf(i: number): string {
    return this.editors[i]?.getValue() ?? this.blocks[i].content;
  }

  private async run(i: number, out: HTMLElement): Promise<void> {
    const button = this.cards[i].querySelector<HTMLButtonElement>(`[data-testid=reflect-run-${i}]`)!;
    button.disabled = true;
    out.textContent = 'running…';
    out.dataset.status = 'running';
    try {
      const r: RunResult = await this.opts
        .python()
        .run(this.codeOf(i), { mode: 'session', timeoutMs: this.opts.timeoutMs() });
      out.textContent = '';
      const summary = h('p', { class: 'rc-run-summary', testid: `reflect-run-summary-${i}` });
      const verdict =
        r.status === 'ok'
          ? 'passed'
          : r.status === 'timeout'
            ? `timed out (${r.error?.message ?? ''})`
            : `failed: ${r.error?.type ?? 'error'}`;
      summary.textContent = `Cell In[${r.cell}] ${verdict} · ${r.durationMs.toFixed(0)} ms${r.truncated ? ' · output truncated' : ''}`;
      out.append(summary);
      const text = executionText(r);
      if (text) out.append(renderTerminal(text));
      out.dataset.status = r.status;
    } catch (e) {
      out.textContent = `Python could not run: ${(e as Error).message}`;
      out.dataset.status = 'failed';
      this.opts.onMessage(`Python could not run: ${(e as Error).message}`, 'error');
    } finally {
      button.disabled = false;
    }
  }
}
