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
  const l = document.createElement('label');
  l.className = 'rc-field';
  l.append(label, input);
  return l;
}

export function mountBuilderForm(root: HTMLElement, cb: BuilderCallbacks): void {
  const form = document.createElement('form');
  form.className = 'rc-builder';
  form.dataset.testid = 'reflect-builder';
  const demo = demoScript();
  const problem = Object.assign(document.createElement('textarea'), { rows: 3, value: demo.problem, required: true });
  problem.dataset.testid = 'reflect-problem';
  const kind = document.createElement('select');
  kind.dataset.testid = 'reflect-generator';
  kind.add(new Option('Scripted turns (replay)', 'scripted'));
  kind.add(new Option('OpenAI-compatible endpoint', 'openai'));
  kind.add(new Option('Local model (a checkpoint saved by the Train panel)', 'local'));
  const checkpoint = document.createElement('select');
  checkpoint.dataset.testid = 'reflect-checkpoint';
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
  const url = Object.assign(document.createElement('input'), {
    type: 'url',
    value: s.baseUrl,
    placeholder: 'http://127.0.0.1:8080/v1',
  });
  const model = Object.assign(document.createElement('input'), { value: s.model, placeholder: 'model name' });
  const key = Object.assign(document.createElement('input'), {
    type: 'password',
    value: s.apiKey,
    placeholder: 'API key (optional)',
    autocomplete: 'off',
  });
  const endpoint = document.createElement('div');
  endpoint.className = 'rc-endpoint';
  endpoint.append(field('URL', url), field('Model', model), field('Key', key));
  const script = Object.assign(document.createElement('textarea'), { rows: 8, value: demo.turns });
  script.dataset.testid = 'reflect-script';
  const scriptField = field('Turns, separated by a line "---"', script);
  const start = Object.assign(document.createElement('button'), { type: 'submit', textContent: 'Start loop' });
  start.dataset.testid = 'reflect-start';
  const stop = Object.assign(document.createElement('button'), { type: 'button', textContent: 'Stop', disabled: true });
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
        if (!checkpoint.value) throw new Error('pick a checkpoint (train one in the Train panel first)');
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
  const head = document.createElement('h3');
  head.textContent = 'New reflection loop';
  const buttons = document.createElement('div');
  buttons.className = 'rc-row';
  buttons.append(start, stop);
  form.append(head, field('Problem', problem), field('Generator', kind), endpoint, scriptField, localRow, buttons);
  root.append(form);
}
