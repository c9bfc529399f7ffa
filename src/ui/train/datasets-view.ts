/**
 * Dataset chooser: the built-in demo dataset and every imported JSONL file (stored in IndexedDB
 * with its provenance and counts). Import is all-or-nothing: a file with a bad line is refused
 * with the line numbers, and nothing is stored.
 */
import { BUILTIN_DEMO_DATASET } from '../../api/trainer.ts';
import type { DatasetMeta } from '../../api/store.ts';
import { errorText, h } from '../dom.ts';
import { createNotice } from '../notice.ts';

export interface DatasetActions {
  list(): Promise<DatasetMeta[]>;
  /** All files or none (TrainerApi.importDatasets). */
  importFiles(files: { fileName: string; bytes: Uint8Array }[]): Promise<DatasetMeta[]>;
  remove(id: string): Promise<void>;
  /** Called after an import or a delete (the storage figure changes). */
  onChange?(): void;
}

export class DatasetsView {
  readonly root: HTMLElement;
  private readonly list: HTMLElement;
  private readonly selected = new Set<string>([BUILTIN_DEMO_DATASET]);
  private items: DatasetMeta[] = [];
  private readonly notice = createNotice('dataset-notice');

  constructor(private readonly actions: DatasetActions) {
    this.list = h('ul', { class: 'train-datasets', testid: 'dataset-list' });
    const input = h('input', {
      type: 'file',
      multiple: true,
      accept: '.jsonl,.json,application/jsonl',
      testid: 'dataset-import',
      'aria-label': 'Import a JSONL dataset',
    });
    input.addEventListener('change', () => void this.importPicked(input));
    this.root = h(
      'section',
      { 'aria-label': 'Datasets' },
      h('h3', {}, 'Datasets'),
      this.list,
      this.notice.el,
      h('label', { class: 'train-import' }, 'Import JSONL (ReflectionSeq schema): ', input),
    );
  }

  /** Dataset ids to train on, in list order. */
  chosen(): string[] {
    return [BUILTIN_DEMO_DATASET, ...this.items.map((d) => d.id)].filter((id) => this.selected.has(id));
  }

  async refresh(): Promise<void> {
    try {
      this.items = await this.actions.list();
    } catch (e) {
      this.notice.error(e);
    }
    this.render();
  }

  private render(): void {
    const row = (id: string, label: string, detail: string, removable: boolean) => {
      const box = h('input', {
        type: 'checkbox',
        checked: this.selected.has(id),
        'data-id': id,
        testid: 'dataset-choice',
      });
      box.addEventListener('change', () => (box.checked ? this.selected.add(id) : this.selected.delete(id)));
      return h(
        'li',
        {},
        h('label', {}, box, ` ${label}`),
        h('span', { class: 'train-detail' }, ` ${detail} `),
        removable
          ? h(
              'button',
              { type: 'button', 'aria-label': `Delete dataset ${label}`, onclick: () => void this.remove(id, label) },
              'Delete',
            )
          : '',
      );
    };
    this.list.replaceChildren(
      row(BUILTIN_DEMO_DATASET, 'Built-in demo', 'reflection + instruction records shipped with the app', false),
      ...this.items.map((d) =>
        row(
          d.id,
          d.name,
          `${d.counts.reflection} reflection, ${d.counts.generation} generation · ${d.provenance.fileName} · ` +
            `${d.provenance.importedAt.slice(0, 10)} · sha-256 ${d.provenance.sha256.slice(0, 12)}…`,
          true,
        ),
      ),
    );
  }

  private async importPicked(input: HTMLInputElement): Promise<void> {
    const picked = [...(input.files ?? [])];
    input.value = '';
    if (!picked.length) return;
    const names = picked.map((f) => f.name).join(', ');
    this.notice.info(`Importing ${names}…`);
    try {
      const files = await Promise.all(
        picked.map(async (f) => ({ fileName: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })),
      );
      const metas = await this.actions.importFiles(files);
      for (const meta of metas) this.selected.add(meta.id);
      this.notice.info(
        metas
          .map(
            (meta) =>
              `Imported ${meta.name}: ${meta.counts.reflection} reflection and ${meta.counts.generation} generation records.`,
          )
          .join(' '),
      );
    } catch (e) {
      this.notice.error({
        name: (e as { name?: unknown })?.name,
        message: `${names} ${picked.length > 1 ? 'were' : 'was'} not imported (all or none): ${errorText(e)}`,
      });
    }
    await this.refresh();
    this.actions.onChange?.();
  }

  private async remove(id: string, label: string): Promise<void> {
    if (!confirm(`Delete dataset “${label}”?`)) return;
    try {
      await this.actions.remove(id);
      this.selected.delete(id);
      this.notice.clear();
    } catch (e) {
      this.notice.error(e);
    }
    await this.refresh();
    this.actions.onChange?.();
  }
}
