/**
 * "New reflection loop": the user types a problem, picks a generator (an OpenAI-compatible endpoint, or a
 * script of turns), and watches the blocks appear. Endpoint settings stay in this browser (localStorage);
 * the key is never logged or put in a message.
 */
import type { ReflectEvent, ReflectOutcome, ReflectionGenerator } from '../../api/reflect.ts';
import { DEMO_PROBLEMS, demoReflectionRecord } from '../../core/data/demo-records.ts';
import { chatGenerator } from '../../core/reflect/generators.ts';
import { runReflection } from '../../core/reflect/loop.ts';
import { OpenAIChatModel, ScriptedChatModel, turnsFromBlocks } from '../../page/services.ts';
import type { PythonApi } from '../../api/python.ts';
import type { LocalModelSource } from './local-model.ts';
import { onCheckpointsChanged } from '../events.ts';
import { h } from '../dom.ts';
import { UsageError } from '../../core/errors.ts';

const SETTINGS_KEY = 'rcw.reflect.endpoint';
const TURN_SEPARATOR = '\n---\n';

interface EndpointSettings {
  baseUrl: string;
  model: string;
  apiKey: string;
}

function readSettings(): EndpointSettings {
  try {
    const raw = JSON.parse(localStorage.getItem(SETTINGS_KEY) ?? '{}') as Partial<EndpointSettings>;
    return { baseUrl: raw.baseUrl ?? 'http://127.0.0.1:8080/v1', model: raw.model ?? '', apiKey: raw.apiKey ?? '' };
  } catch {
    return { baseUrl: 'http://127.0.0.1:8080/v1', model: '', apiKey: '' };
  }
}

/** A script that replays the first demo record's turns (its problem goes in the problem box). */
function demoScript(): { problem: string; turns: string } {
  const rec = demoReflectionRecord(DEMO_PROBLEMS[0]);
  return {
    problem: DEMO_PROBLEMS[0].problem,
    turns: turnsFromBlocks(rec.messages[1].content, rec.messages[3].content[0].content).join(TURN_SEPARATOR),
  };
}

export interface BuilderCallbacks {
  python: () => PythonApi;
  timeoutMs: () => number;
  onStart: (generator: string, problem?: string) => void;
  onEvent: (e: ReflectEvent) => void;
  onDone: (o: ReflectOutcome) => void;
  onError: (message: string) => void;
  local: LocalModelSource;
}

function field(label: string, input: HTMLElement): HTMLLabelElement {
  return h('label', { class: 'rc-field' }, label, input);
}

export function mountBuilderForm(root: HTMLElement, cb: BuilderCallbacks): void {
  const form = h('form', { class: 'rc-builder', testid: 'reflect-builder' });
  const demo = demoScript();
  // A textarea's initial value is its text (it has no value attribute).
  const problem = h('textarea', { rows: 3, required: true, testid: 'reflect-problem' }, demo.problem);
  const kind = h('select', { testid: 'reflect-generator' });
  kind.add(new Option('Scripted turns (replay)', 'scripted'));
  kind.add(new Option('OpenAI-compatible endpoint', 'openai'));
  kind.add(new Option('Local model (a checkpoint saved by the Train panel)', 'local'));
  const checkpoint = h('select', { testid: 'reflect-checkpoint' });
  const localRow = field('Checkpoint (greedy decoding, 384 new tokens per block)', checkpoint);
  let listed = false;
  const listCheckpoints = async (): Promise<void> => {
    checkpoint.textContent = '';
    checkpoint.add(new Option('loading the list…', ''));
    try {
      const list = await cb.local.list();
      checkpoint.textContent = '';
      for (const c of list) checkpoint.add(new Option(c.name, c.id));
      if (!list.length) checkpoint.add(new Option('no checkpoints yet: train one in the Train panel', ''));
      listed = true;
    } catch (e) {
      checkpoint.textContent = '';
      checkpoint.add(new Option(`could not list checkpoints: ${(e as Error).message}`, ''));
    }
  };
  const s = readSettings();
  const url = h('input', { type: 'url', value: s.baseUrl, placeholder: 'http://127.0.0.1:8080/v1' });
  const model = h('input', { value: s.model, placeholder: 'model name' });
  const key = h('input', { type: 'password', placeholder: 'API key (optional)', autocomplete: 'off' });
  key.value = s.apiKey; // a property, not an attribute: the key stays out of the DOM's markup
  const endpoint = h('div', { class: 'rc-endpoint' }, field('URL', url), field('Model', model), field('Key', key));
  const script = h('textarea', { rows: 8, testid: 'reflect-script' }, demo.turns);
  const scriptField = field('Turns, separated by a line "---"', script);
  const start = h('button', { type: 'submit', testid: 'reflect-start' }, 'Start loop');
  const stop = h('button', { type: 'button', disabled: true }, 'Stop');
  const sync = (): void => {
    endpoint.hidden = kind.value !== 'openai';
    scriptField.hidden = kind.value !== 'scripted';
    localRow.hidden = kind.value !== 'local';
    if (kind.value === 'local' && !listed) void listCheckpoints();
  };
  kind.addEventListener('change', sync);
  sync();
  // A run in the Train panel (or an import) changes the list: re-read it when it is shown.
  onCheckpointsChanged(() => {
    listed = false;
    if (kind.value === 'local') void listCheckpoints();
  });
  let controller: AbortController | null = null;
  stop.addEventListener('click', () => controller?.abort());
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    let generator: ReflectionGenerator;
    try {
      if (kind.value === 'local') {
        if (!checkpoint.value) throw new UsageError('pick a checkpoint (train one in the Train panel first)');
        start.disabled = true;
        cb.onStart(`local model: loading checkpoint…`, problem.value);
        generator = await cb.local.generator(checkpoint.value, { maxNewTokens: 384, temperature: 0 });
      } else if (kind.value === 'openai') {
        localStorage.setItem(
          SETTINGS_KEY,
          JSON.stringify({ baseUrl: url.value, model: model.value, apiKey: key.value }),
        );
        generator = chatGenerator(new OpenAIChatModel({ baseUrl: url.value, model: model.value, apiKey: key.value }));
      } else {
        generator = chatGenerator(new ScriptedChatModel(script.value.split(TURN_SEPARATOR)));
      }
    } catch (e) {
      start.disabled = false;
      cb.onError((e as Error).message);
      return;
    }
    controller = new AbortController();
    start.disabled = true;
    stop.disabled = false;
    cb.onStart(generator.name, problem.value);
    runReflection(problem.value, generator, cb.python(), {
      onEvent: cb.onEvent,
      signal: controller.signal,
      timeoutMs: cb.timeoutMs(),
    })
      .then(cb.onDone, (e: Error) => cb.onError(e.name === 'AbortError' ? 'stopped by you' : e.message))
      .finally(() => {
        start.disabled = false;
        stop.disabled = true;
        controller = null;
      });
  });
  form.append(
    h('h3', {}, 'New reflection loop'),
    field('Problem', problem),
    field('Generator', kind),
    endpoint,
    scriptField,
    localRow,
    h('div', { class: 'rc-row' }, start, stop),
  );
  root.append(form);
}
