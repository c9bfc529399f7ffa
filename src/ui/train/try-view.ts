/** "Try the model": prompt in, streamed completion out, with the model of the current run or loaded checkpoint. */
import type { GenerateRequest } from '../../api/trainer.ts';
import { userTurn, type Prompt } from '../../core/prompt.ts';
import { errorText, h } from './dom.ts';

export interface TryActions {
  generate(prompt: Prompt, req: GenerateRequest, onText: (delta: string) => void): Promise<string>;
  onError(message: string): void;
}

/** The evaluation prompt format (METHOD.md §7) with an instruction in place of the HumanEval prompt. */
function wrapPrompt(text: string): Prompt {
  return userTurn(text);
}

export class TryModelView {
  readonly root: HTMLElement;
  private readonly details: HTMLDetailsElement;

  constructor(actions: TryActions) {
    const prompt = h('textarea', { rows: 3, testid: 'try-prompt', 'aria-label': 'Prompt' });
    prompt.value = 'Write a Python function that returns the sum of a list.';
    const maxNew = h('input', { type: 'number', min: 1, max: 512, value: 64, 'aria-label': 'Max new tokens' });
    const out = h('pre', { class: 'train-try-output', testid: 'try-output' });
    const btn = h('button', { type: 'button', testid: 'try-generate' }, 'Generate');
    btn.addEventListener('click', async () => {
      btn.disabled = true;
      out.textContent = '';
      try {
        await actions.generate(wrapPrompt(prompt.value), { maxNewTokens: Number(maxNew.value) || 64 }, (d) => {
          out.textContent += d;
        });
      } catch (e) {
        actions.onError(errorText(e));
      } finally {
        btn.disabled = false;
      }
    });
    this.details = h(
      'details',
      { class: 'train-try' },
      h('summary', {}, 'Try the model (greedy, stops at <|endofblock|>)'),
      prompt,
      h('div', {}, h('label', {}, 'Max new tokens ', maxNew), ' ', btn),
      out,
    );
    this.root = this.details;
  }

  open(): void {
    this.details.open = true;
  }
}
