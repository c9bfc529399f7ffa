/**
 * Checkpoint management: list (newest first), rename, delete, export (two downloads:
 * .safetensors + .json), import (pick both files), and Resume for runs that stopped before their
 * last step — which is how a run continues after a page reload.
 */
import type { CheckpointMeta } from '../../api/store.ts';
import { download, errorText, h } from '../dom.ts';
import { CHECKPOINTS_CHANGED } from '../events.ts';
import { createNotice } from '../notice.ts';

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
}

export class CheckpointsView {
  readonly root: HTMLElement;
  private readonly tbody: HTMLElement;
  private readonly banner: HTMLElement;
  private readonly notice = createNotice('checkpoint-notice');
  private items: CheckpointMeta[] = [];

  constructor(private readonly actions: CheckpointActions) {
    this.tbody = h('ul', { class: 'train-ckpt-list', testid: 'checkpoint-list' });
    this.banner = h('div', { class: 'train-resume-banner', testid: 'resume-banner', hidden: true });
    const fileInput = h('input', {
      type: 'file',
      multiple: true,
      accept: '.safetensors,.json',
      testid: 'checkpoint-import',
      'aria-label': 'Import checkpoint files',
    });
    fileInput.addEventListener('change', () => void this.importPicked(fileInput));
    this.root = h(
      'section',
      { class: 'train-checkpoints', 'aria-label': 'Checkpoints' },
      h('h3', {}, 'Checkpoints'),
      this.banner,
      this.tbody,
      this.notice.el,
      h('label', { class: 'train-import' }, 'Import (.safetensors + .json): ', fileInput),
    );
  }

  /** The most recently saved checkpoint, if any. */
  newest(): CheckpointMeta | undefined {
    return [...this.items].sort((a, b) => b.savedAt.localeCompare(a.savedAt))[0];
  }

  private onError(message: string): void {
    this.notice.error(message);
  }

  async refresh(): Promise<void> {
    try {
      this.items = await this.actions.list();
    } catch (e) {
      this.onError(errorText(e));
      return;
    }
    this.render();
  }

  render(): void {
    const busy = this.actions.busy();
    this.tbody.replaceChildren(
      ...this.items.map((m) => {
        const unfinished = m.step < m.totalSteps;
        const detail = `step ${m.step}/${m.totalSteps} · ${m.preset} · loss ${m.loss === null ? '–' : m.loss.toFixed(4)} · ${new Date(m.savedAt).toLocaleString()}`;
        return h(
          'li',
          { testid: 'checkpoint-row', 'data-id': m.id, class: 'train-ckpt' },
          h(
            'div',
            { class: 'train-ckpt-text' },
            h('strong', { testid: 'checkpoint-name' }, m.name),
            h('span', { class: 'train-detail' }, detail),
          ),
          h(
            'div',
            { class: 'train-actions', role: 'group', 'aria-label': `Actions for ${m.name}` },
            unfinished
              ? h(
                  'button',
                  {
                    type: 'button',
                    testid: 'checkpoint-resume',
                    disabled: busy,
                    onclick: () => this.actions.resume(m.id),
                  },
                  'Resume',
                )
              : '',
            h(
              'button',
              {
                type: 'button',
                disabled: busy,
                testid: 'checkpoint-load',
                onclick: () => void this.run(() => this.actions.load(m.id)),
              },
              'Load',
            ),
            h('button', { type: 'button', onclick: () => void this.rename(m) }, 'Rename'),
            h('button', { type: 'button', onclick: () => void this.exportOne(m) }, 'Export'),
            h('button', { type: 'button', disabled: busy, onclick: () => void this.remove(m) }, 'Delete'),
          ),
        );
      }),
    );
    if (this.items.length === 0)
      this.tbody.append(h('li', { class: 'train-detail' }, 'No checkpoints yet: a run saves one every few steps.'));
    // After a reload: offer to continue the newest unfinished run.
    const pending = this.items.find((m) => m.step < m.totalSteps);
    this.banner.hidden = !pending || busy;
    if (pending) {
      this.banner.replaceChildren(
        `Run “${pending.name}” stopped at step ${pending.step} of ${pending.totalSteps}. `,
        h(
          'button',
          { type: 'button', testid: 'resume-latest', disabled: busy, onclick: () => this.actions.resume(pending.id) },
          'Resume',
        ),
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
      this.onError(errorText(e));
    }
  }

  private async importPicked(input: HTMLInputElement): Promise<void> {
    const files = Array.from(input.files ?? []);
    input.value = '';
    const st = files.find((f) => f.name.endsWith('.safetensors'));
    const js = files.find((f) => f.name.endsWith('.json'));
    if (!st || !js) {
      this.onError('Import needs both files of an exported checkpoint: pick the .safetensors and the .json together.');
      return;
    }
    await this.run(async () => {
      await this.actions.importFiles(
        new Uint8Array(await st.arrayBuffer()),
        await js.text(),
        st.name.replace(/\.safetensors$/, ''),
      );
    });
  }

  private async run(f: () => Promise<void>): Promise<void> {
    this.notice.clear();
    try {
      await f();
    } catch (e) {
      this.onError(errorText(e));
    }
    await this.refresh();
    window.dispatchEvent(new CustomEvent(CHECKPOINTS_CHANGED));
  }
}
