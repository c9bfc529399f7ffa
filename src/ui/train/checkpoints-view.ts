/**
 * Checkpoint management: list (newest first), rename, delete, export (two downloads:
 * .safetensors + .json), import (pick both files), and Resume for runs that stopped before their
 * last step — which is how a run continues after a page reload.
 */
import type { CheckpointMeta } from '../../api/store.ts';
import { download, errorText, h } from './dom.ts';

export interface CheckpointActions {
  list(): Promise<CheckpointMeta[]>;
  rename(id: string, name: string): Promise<void>;
  remove(id: string): Promise<void>;
  exportFiles(id: string): Promise<{ safetensors: Uint8Array; json: string; baseName: string }>;
  importFiles(safetensors: Uint8Array, json: string, name: string): Promise<CheckpointMeta>;
  resume(id: string): void;
  /** Loads the checkpoint's model for "Try the model". */
  load(id: string): Promise<void>;
  /** True while a run is active: Resume/Delete are disabled then. */
  busy(): boolean;
  onError(message: string): void;
}

export class CheckpointsView {
  readonly root: HTMLElement;
  private readonly tbody: HTMLTableSectionElement;
  private readonly banner: HTMLElement;
  private items: CheckpointMeta[] = [];

  constructor(private readonly actions: CheckpointActions) {
    this.tbody = h('tbody');
    this.banner = h('div', { class: 'train-resume-banner', testid: 'resume-banner', hidden: true });
    const fileInput = h('input', { type: 'file', multiple: true, accept: '.safetensors,.json', testid: 'checkpoint-import', 'aria-label': 'Import checkpoint files' });
    fileInput.addEventListener('change', () => void this.importPicked(fileInput));
    this.root = h(
      'section',
      { class: 'train-checkpoints', 'aria-label': 'Checkpoints' },
      h('h3', {}, 'Checkpoints'),
      this.banner,
      h(
        'table',
        { testid: 'checkpoint-list' },
        h('thead', {}, h('tr', {}, ...['Name', 'Step', 'Preset', 'Loss', 'Saved', ''].map((t) => h('th', {}, t)))),
        this.tbody,
      ),
      h('label', { class: 'train-import' }, 'Import (.safetensors + .json): ', fileInput),
    );
  }

  async refresh(): Promise<void> {
    try {
      this.items = await this.actions.list();
    } catch (e) {
      this.actions.onError(errorText(e));
      return;
    }
    this.render();
  }

  render(): void {
    const busy = this.actions.busy();
    this.tbody.replaceChildren(
      ...this.items.map((m) => {
        const unfinished = m.step < m.totalSteps;
        return h(
          'tr',
          { testid: 'checkpoint-row', 'data-id': m.id },
          h('td', { testid: 'checkpoint-name' }, m.name),
          h('td', {}, `${m.step}/${m.totalSteps}`),
          h('td', {}, m.preset),
          h('td', {}, m.loss === null ? '–' : m.loss.toFixed(4)),
          h('td', {}, new Date(m.savedAt).toLocaleString()),
          h(
            'td',
            { class: 'train-actions' },
            unfinished ? h('button', { type: 'button', testid: 'checkpoint-resume', disabled: busy, onclick: () => this.actions.resume(m.id) }, 'Resume') : '',
            h('button', { type: 'button', disabled: busy, testid: 'checkpoint-load', onclick: () => void this.run(() => this.actions.load(m.id)) }, 'Load'),
            h('button', { type: 'button', onclick: () => void this.rename(m) }, 'Rename'),
            h('button', { type: 'button', onclick: () => void this.exportOne(m) }, 'Export'),
            h('button', { type: 'button', disabled: busy, onclick: () => void this.remove(m) }, 'Delete'),
          ),
        );
      }),
    );
    if (this.items.length === 0) this.tbody.append(h('tr', {}, h('td', { colspan: 6 }, 'No checkpoints yet: a run saves one every few steps.')));
    // After a reload: offer to continue the newest unfinished run.
    const pending = this.items.find((m) => m.step < m.totalSteps);
    this.banner.hidden = !pending || busy;
    if (pending) {
      this.banner.replaceChildren(
        `Run “${pending.name}” stopped at step ${pending.step} of ${pending.totalSteps}. `,
        h('button', { type: 'button', testid: 'resume-latest', disabled: busy, onclick: () => this.actions.resume(pending.id) }, 'Resume'),
      );
    }
  }

  private async rename(m: CheckpointMeta): Promise<void> {
    const name = prompt('New name for the checkpoint', m.name)?.trim();
    if (!name || name === m.name) return;
    await this.run(() => this.actions.rename(m.id, name));
  }

  private async remove(m: CheckpointMeta): Promise<void> {
    if (!confirm(`Delete checkpoint “${m.name}” (step ${m.step})? This cannot be undone.`)) return;
    await this.run(() => this.actions.remove(m.id));
  }

  private async exportOne(m: CheckpointMeta): Promise<void> {
    try {
      const f = await this.actions.exportFiles(m.id);
      download(`${f.baseName}.safetensors`, f.safetensors, 'application/octet-stream');
      download(`${f.baseName}.json`, f.json, 'application/json');
    } catch (e) {
      this.actions.onError(errorText(e));
    }
  }

  private async importPicked(input: HTMLInputElement): Promise<void> {
    const files = Array.from(input.files ?? []);
    input.value = '';
    const st = files.find((f) => f.name.endsWith('.safetensors'));
    const js = files.find((f) => f.name.endsWith('.json'));
    if (!st || !js) {
      this.actions.onError('Import needs both files of an exported checkpoint: pick the .safetensors and the .json together.');
      return;
    }
    await this.run(async () => {
      await this.actions.importFiles(new Uint8Array(await st.arrayBuffer()), await js.text(), st.name.replace(/\.safetensors$/, ''));
    });
  }

  private async run(f: () => Promise<void>): Promise<void> {
    try {
      await f();
    } catch (e) {
      this.actions.onError(errorText(e));
    }
    await this.refresh();
  }
}
