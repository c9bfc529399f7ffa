// Over 300 lines: one view class (navigation, block cards, live append, mask overlay); its terminal, keys and mask logic are separate files.
/**
 * Steps through a reflection sequence block by block (buttons, ←/→): code blocks in Monaco (editable, with
 * Run), execution blocks as terminal output, analyses as text, and a C/E/A progress strip that also shows
 * the student mask overlay. Blocks can be appended live while a reflection loop runs.
 */
import type { PythonApi, RunResult } from '../../api/python.ts';
import { executionText } from '../../core/reflect/text.ts';
import type { Block } from '../../core/records/schema.ts';
import { renderTerminal } from './terminal.ts';

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
    this.el = document.createElement('section');
    this.el.className = 'rc-sequence';
    this.el.tabIndex = 0;
    this.el.dataset.testid = 'reflect-sequence';
    this.el.setAttribute(
      'aria-label',
      'Reflection sequence: ← → or j k step through the blocks, Ctrl+Enter runs, ? lists the keys',
    );
    const nav = document.createElement('div');
    nav.className = 'rc-nav';
    const prev = this.button('◀ Prev', 'reflect-prev', () => this.step(-1));
    const next = this.button('Next ▶', 'reflect-next', () => this.step(1));
    const all = this.button('Show all', 'reflect-all', () => this.goTo(this.blocks.length - 1));
    this.position = document.createElement('span');
    this.position.className = 'rc-position';
    this.position.dataset.testid = 'reflect-position';
    this.strip = document.createElement('ol');
    this.strip.className = 'rc-strip';
    this.strip.setAttribute('aria-label', 'blocks: C code, E execution, A analysis');
    nav.append(prev, next, all, this.position, this.strip);
    this.list = document.createElement('div');
    this.list.className = 'rc-blocks';
    this.el.append(nav, this.list);
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
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = label;
    b.dataset.testid = testid;
    b.addEventListener('click', onClick);
    return b;
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
      const li = document.createElement('li');
      const chip = document.createElement('button');
      chip.type = 'button';
      chip.textContent = LETTER[b.type];
      chip.className = `rc-chip rc-chip-${b.type}`;
      chip.title = `${TITLE[b.type]} block ${i + 1}`;
      chip.tabIndex = -1;
      if (i === this.cursor) chip.setAttribute('aria-current', 'step');
      if (i > this.cursor) chip.classList.add('rc-ahead');
      const share = this.hidden?.[i] ?? 0;
      if (share > 0) {
        chip.classList.add('rc-masked');
        chip.title += ` — hidden from the student (${Math.round(share * 100)}%)`;
      }
      chip.addEventListener('click', () => this.goTo(i));
      li.append(chip);
      this.strip.append(li);
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
    const box = document.createElement('div');
    box.className = 'rc-student-view';
    box.dataset.testid = 'reflect-student-view';
    const label = document.createElement('div');
    label.className = 'rc-student-label';
    label.textContent = `Student view: ${Math.round(share * 100)}% of this block hidden`;
    const pre = document.createElement('pre');
    const chars = Array.from(content);
    let i = 0;
    while (i < chars.length) {
      const h = hidden[i] ?? false;
      let j = i;
      while (j < chars.length && (hidden[j] ?? false) === h) j++;
      const span = document.createElement('span');
      span.textContent = chars.slice(i, j).join('');
      if (h) span.className = 'rc-tok-hidden';
      pre.append(span);
      i = j;
    }
    box.append(label, pre);
    return box;
  }

  private card(i: number): HTMLElement {
    const b = this.blocks[i];
    const card = document.createElement('article');
    card.className = `rc-block rc-block-${b.type}`;
    card.dataset.testid = `reflect-block-${i}`;
    card.dataset.type = b.type;
    const head = document.createElement('header');
    head.textContent = `${LETTER[b.type]} · ${TITLE[b.type]} block ${i + 1}`;
    card.append(head);
    if (b.type === 'code') {
      const host = document.createElement('div');
      host.className = 'rc-code';
      host.style.height = `${Math.min(420, 20 + 19 * b.content.split('\n').length)}px`;
      const pre = document.createElement('pre');
      pre.textContent = b.content;
      host.append(pre);
      card.append(host);
      const out = document.createElement('div');
      out.className = 'rc-run-output';
      out.dataset.testid = `reflect-run-output-${i}`;
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
          : Object.assign(document.createElement('p'), {
              className: 'rc-note',
              textContent: '(no output: the code ran without errors)',
            }),
      );
    } else {
      const p = document.createElement('div');
      p.className = 'rc-text';
      p.textContent = b.content;
      card.append(p);
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
      const summary = document.createElement('p');
      summary.className = 'rc-run-summary';
      summary.dataset.testid = `reflect-run-summary-${i}`;
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
