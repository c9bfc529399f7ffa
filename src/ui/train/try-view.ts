/** "Try the model": prompt in, streamed completion out, with the model of the current run or loaded checkpoint. */
import type { GenerateRequest } from '../../api/trainer.ts';
import { userTurn, type Prompt } from '../../core/prompt.ts';
import { createNotice } from '../notice.ts';
import { errorText, h } from '../dom.ts';

export interface TryActions {
  generate(prompt: Prompt, req: GenerateRequest, onText: (delta: string) => void): Promise<string>;
}

/** The evaluation prompt format (docs/METHOD.md §7) with an instruction in place of the HumanEval prompt. */
function wrapPrompt(text: string): Prompt {
  return userTurn(text);
}

export class TryModelView {
  readonly root: HTMLElement;
  private readonly details: HTMLDetailsElement;
  private readonly model = h(
    'span',
    { class: 'train-detail', testid: 'try-model' },
    'No model loaded: press Load on a checkpoint, or train one.',
  );

  constructor(actions: TryActions) {
    const prompt = h('textarea', { rows: 3, testid: 'try-prompt', 'aria-label': 'Prompt' });
    prompt.value = 'Write a Python function that returns the sum of a list.';
    const maxNew = h('input', { type: 'number', min: 1, max: 512, value: 64, 'aria-label': 'Max new tokens' });
    const out = h('pre', { class: 'train-try-output', testid: 'try-output', 'aria-live': 'polite' });
    // Errors appear here, next to the output they replace, and stay until the next Generate or Dismiss.
    const notice = createNotice('try-notice');
    const btn = h('button', { type: 'button', testid: 'try-generate' }, 'Generate');
    btn.addEventListener('click', async () => {
      btn.disabled = true;
      out.textContent = '';
      notice.clear();
      try {
        await actions.generate(wrapPrompt(prompt.value), { maxNewTokens: Number(maxNew.value) || 64 }, (d) => {
          out.textContent += d;
        });
      } catch (e) {
        notice.error(`Nothing was generated: ${errorText(e)}`);
      } finally {
        btn.disabled = false;
      }
    });
    this.details = h(
      'details',
      { class: 'train-try' },
      h('summary', {}, 'Try the model (greedy, stops at <|endofblock|>)'),
      this.model,
      prompt,
      h('div', { class: 'train-try-row' }, h('label', {}, 'Max new tokens ', maxNew), btn),
      notice.el,
      out,
    );
    this.root = this.details;
  }

  setModel(name: string): void {
    this.model.textContent = `Model: ${name}`;
  }

  open(): void {
    this.details.open = true;
  }
}
