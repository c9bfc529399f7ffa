/**
 * Preset + run-config editor. Picking a preset fills the JSON editor with that preset's defaults;
 * every edit is validated where it enters (the same validator the service uses), and the error
 * names the key, what was expected and what was found. Start is refused while it is invalid.
 */
import { h } from '../dom.ts';

export interface ConfigSource {
  presets: string[];
  /** The default run config for a preset, as a plain object. */
  defaults(preset: string): object;
  /** Throws ConfigError with a message on anything invalid; returns the normalised config. */
  validate(raw: unknown): object;
}

export class ConfigView {
  readonly root: HTMLElement;
  private readonly preset: HTMLSelectElement;
  private readonly editor: HTMLTextAreaElement;
  private readonly error: HTMLElement;
  private valid: object | null = null;

  constructor(
    private readonly source: ConfigSource,
    initialPreset: string,
  ) {
    this.preset = h(
      'select',
      { testid: 'preset', 'aria-label': 'Model preset' },
      ...source.presets.map((p) => h('option', { value: p }, p)),
    );
    this.preset.value = source.presets.includes(initialPreset) ? initialPreset : source.presets[0];
    this.preset.addEventListener('change', () => this.loadPreset(this.preset.value));
    this.editor = h('textarea', {
      class: 'train-config',
      rows: 14,
      spellcheck: 'false',
      testid: 'config-json',
      'aria-label': 'Run config (JSON)',
    });
    this.editor.addEventListener('input', () => this.check());
    this.error = h('div', { class: 'train-config-error', role: 'alert', testid: 'config-error' });
    this.root = h(
      'section',
      { 'aria-label': 'Model and run config' },
      h('h3', {}, 'Model and run config'),
      h('label', {}, 'Preset: ', this.preset),
      h('details', { open: true }, h('summary', {}, 'Run config (JSON, editable)'), this.editor, this.error),
    );
    this.loadPreset(this.preset.value);
  }

  private loadPreset(preset: string): void {
    this.editor.value = JSON.stringify(this.source.defaults(preset), null, 2);
    this.check();
  }

  private check(): void {
    let raw: unknown;
    try {
      raw = JSON.parse(this.editor.value);
    } catch (e) {
      return this.fail(`JSON syntax: ${(e as Error).message}`);
    }
    try {
      this.valid = this.source.validate(raw);
      // The JSON is authoritative: keep the preset selector in step with it.
      const preset = (this.valid as { preset?: unknown }).preset;
      if (typeof preset === 'string' && this.source.presets.includes(preset)) this.preset.value = preset;
      this.error.textContent = '';
      delete this.error.dataset.errorName;
      this.editor.removeAttribute('aria-invalid');
    } catch (e) {
      this.fail((e as Error).message, (e as Error).name);
    }
  }

  private fail(message: string, errorName = 'SyntaxError'): void {
    this.valid = null;
    this.error.textContent = message;
    // The class name is for code and tests (it survives minification: src/core/errors.ts); people read the message.
    this.error.dataset.errorName = errorName;
    this.editor.setAttribute('aria-invalid', 'true');
  }

  /** The validated config, or null (the error is on screen). */
  value(): object | null {
    return this.valid;
  }

  setDisabled(disabled: boolean): void {
    this.preset.disabled = disabled;
    this.editor.readOnly = disabled;
  }
}
