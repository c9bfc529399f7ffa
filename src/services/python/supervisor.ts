// Over 300 lines: one host's lifecycle (start, queue, time limits, interrupt, restart) is one state machine and reads best whole.
import type {
  CheckOutcome,
  PythonApi,
  PythonChecker,
  PythonState,
  PythonStatus,
  RunOptions,
  RunResult,
} from '../../api/python.ts';
import { PythonRuntimeError, UsageError } from '../../core/errors.ts';
import { Mutex } from '../../core/lock.ts';
import type { HostRunResult } from '../../platform/python/host-core.mjs';
import type { HostMessage, PythonTransport, PythonTransportFactory } from '../../platform/python/transport.ts';

export interface SupervisorOptions {
  /** Time allowed after the interrupt before the interpreter is replaced. Default 1000 ms. */
  graceMs?: number;
  defaultTimeoutMs?: number;
  defaultMaxOutputChars?: number;
  /** Limit for loading Pyodide. Default 120 s (a busy 2-core machine loads it in 3–7 s). */
  startTimeoutMs?: number;
  onState?: (state: PythonState, detail?: string) => void;
  /** An evaluation host: every request starts from a memory snapshot of the idle interpreter (pristine.mjs). */
  pristine?: boolean;
}

/** Interval at which the interrupt is repeated until the run answers (see armLimit). */
const INTERRUPT_REPEAT_MS = 50;

/** Largest check answer accepted (a verdict keeps up to 1 M characters of an exception message). */
const CHECK_MAX_CHARS = 4_000_000;

type Waiter = (msg: HostMessage | { type: 'exit'; reason: string }) => void;

interface Instance {
  transport: PythonTransport;
  ready: Promise<{ version: string; loadMs: number }>;
  waiters: Map<number, Waiter>;
  alive: boolean;
  version?: string;
}

/** A host's start-up: one promise, settled at most once (later calls do nothing). */
interface Startup {
  ready: Promise<{ version: string; loadMs: number }>;
  ok(v: { version: string; loadMs: number }): void;
  fail(e: Error): void;
  pending(): boolean;
}

function startup(): Startup {
  let settle: { ok: (v: { version: string; loadMs: number }) => void; fail: (e: Error) => void } | null = null;
  const ready = new Promise<{ version: string; loadMs: number }>((ok, fail) => {
    settle = { ok, fail };
  });
  return {
    ready,
    ok: (v) => {
      settle?.ok(v);
      settle = null;
    },
    fail: (e) => {
      settle?.fail(e);
      settle = null;
    },
    pending: () => settle !== null,
  };
}

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

function isHostMessage(m: unknown): m is HostMessage {
  return typeof m === 'object' && m !== null && typeof (m as { type?: unknown }).type === 'string';
}

/** Why a request got no proper answer (a fatal error, the host's exit, another reply): its first line, ≤ 300 chars. */
function whyLost(reply: HostMessage | { type: 'exit'; reason: string }): string {
  const why =
    reply.type === 'fatal' ? reply.message : reply.type === 'exit' ? reply.reason : `unexpected reply '${reply.type}'`;
  return why.split('\n')[0].slice(0, 300);
}

function validResult(r: unknown): r is HostRunResult {
  if (typeof r !== 'object' || r === null) return false;
  const o = r as Record<string, unknown>;
  return (
    (o.status === 'ok' || o.status === 'error') &&
    typeof o.stdout === 'string' &&
    typeof o.stderr === 'string' &&
    typeof o.traceback === 'string' &&
    typeof o.cell === 'number' &&
    typeof o.truncated === 'boolean'
  );
}

/**
 * The one PythonApi implementation. Runs are serialised; each has a wall-clock limit: at the limit Python is
 * interrupted (KeyboardInterrupt via the transport's SharedArrayBuffer flag); if it has not answered after
 * `graceMs` (time.sleep, loops inside C, code swallowing BaseException) the host is terminated and a new one
 * is started on the next call. A dead interpreter (os._exit, wasm trap) is replaced the same way.
 * Losing the host loses the session namespace; the result says so.
 */
export class PythonSupervisor implements PythonApi, PythonChecker {
  private instance: Instance | null = null;
  private readonly queue = new Mutex();
  private nextId = 1;
  private sessionCell = 0;
  private readonly graceMs: number;
  private readonly defaultTimeoutMs: number;
  private readonly defaultMaxOutputChars: number;
  private readonly startTimeoutMs: number;
  /** Number of hosts started so far (tests and the status bar use it to see restarts). */
  starts = 0;
  /** Whether the current host started from the evaluation hosts' base snapshot (Node: python-snapshot.ts). */
  startedFromBaseSnapshot = false;
  /** Pristine hosts replaced because a check left state that cannot be put back (with the reasons). */
  recycled: string[] = [];

  constructor(
    private readonly factory: PythonTransportFactory,
    private readonly opts: SupervisorOptions = {},
  ) {
    this.graceMs = opts.graceMs ?? 1000;
    this.defaultTimeoutMs = opts.defaultTimeoutMs ?? 10_000;
    this.defaultMaxOutputChars = opts.defaultMaxOutputChars ?? 100_000;
    this.startTimeoutMs = opts.startTimeoutMs ?? 120_000;
  }

  run(code: string, options: RunOptions = {}): Promise<RunResult> {
    if (typeof code !== 'string') throw new UsageError(`run(code): expected a string of Python, found ${typeof code}`);
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
    const maxChars = options.maxOutputChars ?? this.defaultMaxOutputChars;
    if (!(timeoutMs > 0)) throw new UsageError(`timeoutMs: expected a positive number, found ${timeoutMs}`);
    if (!(Number.isInteger(maxChars) && maxChars > 0))
      throw new UsageError(`maxOutputChars: expected a positive integer, found ${maxChars}`);
    return this.enqueue(() => this.runNow(code, options.mode ?? 'session', timeoutMs, maxChars));
  }

  resetSession(): Promise<void> {
    return this.enqueue(async () => {
      this.sessionCell = 0;
      if (!this.instance?.alive) return; // a new host starts with an empty session anyway
      const inst = this.instance;
      const reply = await this.request(inst, (id) => ({ type: 'reset', id }));
      if (reply.type !== 'reset-done') this.kill(inst, 'reset failed');
    });
  }

  async status(): Promise<PythonStatus> {
    const inst = this.instance;
    return inst?.alive && inst.version ? { ready: true, version: inst.version } : { ready: false };
  }

  /** Loads the interpreter now (the first run would otherwise pay for it). Resolves with the load time. */
  async start(): Promise<{ version: string; loadMs: number }> {
    return this.enqueue(async () => (await this.ensure()).ready);
  }

  /** Terminates the host; the next call starts a new one. */
  dispose(): void {
    if (this.instance) this.kill(this.instance, 'disposed', 'idle');
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    return this.queue.run(task);
  }

  private setState(state: PythonState, detail?: string): void {
    this.opts.onState?.(state, detail);
  }

  private async ensure(): Promise<Instance> {
    if (this.instance?.alive) {
      await this.instance.ready;
      return this.instance;
    }
    const inst = this.startHost();
    this.instance = inst;
    await inst.ready;
    return inst;
  }

  /** A new host whose start-up settles once: on 'ready', a failure, its exit, or the start timeout. */
  private startHost(): Instance {
    this.setState(this.starts === 0 ? 'loading' : 'restarting');
    this.starts += 1;
    this.sessionCell = 0;
    const transport = this.factory({ pristine: this.opts.pristine === true });
    const start = startup();
    const inst: Instance = { transport, ready: start.ready, waiters: new Map<number, Waiter>(), alive: true };
    const timer = setTimeout(() => {
      start.fail(new PythonRuntimeError(`Pyodide did not start within ${this.startTimeoutMs} ms`));
      this.kill(inst, 'start timeout', 'failed');
    }, this.startTimeoutMs);
    transport.onMessage((m) => {
      if (isHostMessage(m)) this.onHostMessage(inst, m, start, timer);
    });
    transport.onExit((reason) => {
      clearTimeout(timer);
      start.fail(new PythonRuntimeError(`the Python host exited while starting: ${reason}`));
      inst.alive = false;
      for (const [id, w] of inst.waiters) {
        inst.waiters.delete(id);
        w({ type: 'exit', reason });
      }
      if (this.instance === inst) this.instance = null;
    });
    return inst;
  }

  private onHostMessage(inst: Instance, m: HostMessage, start: Startup, timer: ReturnType<typeof setTimeout>): void {
    if (m.type === 'ready') {
      clearTimeout(timer);
      inst.version = String(m.version);
      this.startedFromBaseSnapshot = m.fromBaseSnapshot === true;
      start.ok({ version: inst.version, loadMs: Number(m.loadMs) });
      this.setState('ready', `Python ${inst.version}`);
    } else if (m.type === 'init-failed' || m.type === 'crashed') {
      clearTimeout(timer);
      const message = String(m.message).split('\n')[0].slice(0, 300);
      if (start.pending()) {
        start.fail(new PythonRuntimeError(`Pyodide failed to start: ${message}`));
        this.kill(inst, `start failed: ${message}`, 'failed');
      } else {
        this.kill(inst, `crashed: ${message}`);
      }
    } else if ('id' in m && typeof m.id === 'number') {
      const w = inst.waiters.get(m.id);
      if (w) {
        inst.waiters.delete(m.id);
        w(m);
      }
    }
  }

  private kill(inst: Instance, reason: string, state: PythonState = 'restarting'): void {
    if (!inst.alive) return;
    inst.alive = false;
    inst.transport.terminate();
    for (const [id, w] of inst.waiters) {
      inst.waiters.delete(id);
      w({ type: 'exit', reason });
    }
    if (this.instance === inst) this.instance = null;
    this.setState(state, reason);
  }

  private request(
    inst: Instance,
    make: (id: number) => Parameters<PythonTransport['send']>[0],
  ): Promise<HostMessage | { type: 'exit'; reason: string }> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      inst.waiters.set(id, resolve);
      inst.transport.send(make(id));
    });
  }

  /**
   * One evaluation check in a pristine host. A host that cannot restore its snapshot answers 'recycle'; it is
   * replaced and the check is sent once more to the new host (whose first restore has nothing to repair).
   */
  check(
    kind: 'human-eval' | 'evalplus-truth' | 'evalplus',
    payload: object,
    options: { timeoutMs: number },
  ): Promise<CheckOutcome> {
    if (!this.opts.pristine) throw new UsageError('check(): this supervisor was not created with { pristine: true }');
    if (!(options.timeoutMs > 0))
      throw new UsageError(`timeoutMs: expected a positive number, found ${options.timeoutMs}`);
    const json = JSON.stringify(payload);
    return this.enqueue(async () => {
      for (let attempt = 0; ; attempt++) {
        const out = await this.checkNow(kind, json, options.timeoutMs);
        if (out !== 'recycle') return out;
        if (attempt > 0)
          return { status: 'crashed', message: 'a new interpreter could not restore its snapshot', durationMs: 0 };
      }
    });
  }

  /**
   * The wall-clock limit of one request: at the limit the interrupt is sent, and sent again every
   * INTERRUPT_REPEAT_MS (Pyodide reads and clears its flag in two steps, so a write landing between them is
   * lost); if there is still no answer after the grace period, the host is replaced.
   */
  private armLimit(inst: Instance, timeoutMs: number): { interrupted: boolean; killed: boolean; clear(): void } {
    const state = { interrupted: false, killed: false, clear: () => {} };
    let repeat: ReturnType<typeof setInterval> | undefined;
    let killTimer: ReturnType<typeof setTimeout> | undefined;
    const limitTimer = setTimeout(() => {
      state.interrupted = true;
      inst.transport.interrupt();
      repeat = setInterval(() => inst.transport.interrupt(), INTERRUPT_REPEAT_MS);
      killTimer = setTimeout(() => {
        state.killed = true;
        clearInterval(repeat);
        this.kill(inst, `no answer ${this.graceMs} ms after the interrupt`);
      }, this.graceMs);
    }, timeoutMs);
    state.clear = () => {
      clearTimeout(limitTimer);
      clearTimeout(killTimer);
      clearInterval(repeat);
    };
    return state;
  }

  private async checkNow(kind: string, payload: string, timeoutMs: number): Promise<CheckOutcome | 'recycle'> {
    const inst = await this.ensure();
    const t0 = now();
    const limit = this.armLimit(inst, timeoutMs);
    const reply = await this.request(inst, (id) => ({ type: 'check', id, kind, payload, maxChars: CHECK_MAX_CHARS }));
    limit.clear();
    const { interrupted, killed } = limit;
    const durationMs = now() - t0;
    if (reply.type === 'recycle') {
      this.recycled.push(String(reply.reason));
      this.kill(inst, `recycled: ${String(reply.reason)}`);
      return 'recycle';
    }
    if (reply.type === 'checked' && typeof reply.json === 'string') {
      let value: Record<string, unknown>;
      try {
        value = JSON.parse(reply.json) as Record<string, unknown>;
      } catch {
        this.kill(inst, 'invalid check reply');
        return { status: 'crashed', message: 'the check answered with invalid JSON', durationMs };
      }
      if (interrupted && value.keyboard_interrupt === true) return { status: 'timeout', killed: false, durationMs };
      return { status: 'ok', value, durationMs };
    }
    if (inst.alive) this.kill(inst, 'invalid reply');
    if (killed) return { status: 'timeout', killed: true, durationMs };
    return { status: 'crashed', message: whyLost(reply), durationMs };
  }

  private async runNow(
    code: string,
    mode: 'session' | 'isolated',
    timeoutMs: number,
    maxChars: number,
  ): Promise<RunResult> {
    const inst = await this.ensure();
    const cell = mode === 'session' ? ++this.sessionCell : 1;
    const isolated = mode === 'isolated';
    this.setState('running');
    const t0 = now();
    const limit = this.armLimit(inst, timeoutMs);
    const reply = await this.request(inst, (id) => ({ type: 'run', id, code, isolated, maxChars }));
    limit.clear();
    const { interrupted, killed } = limit;
    const durationMs = now() - t0;
    if (inst.alive) this.setState('ready', inst.version ? `Python ${inst.version}` : undefined);

    if (reply.type === 'result' && validResult(reply.result)) {
      const r = reply.result;
      if (!isolated) this.sessionCell = r.cell;
      const base: RunResult = {
        status: r.status,
        stdout: r.stdout,
        stderr: r.stderr,
        traceback: r.traceback,
        durationMs,
        cell: r.cell,
        truncated: r.truncated,
      };
      if (r.error)
        base.error = {
          type: String(r.error.type),
          message: String(r.error.message),
          line: typeof r.error.line === 'number' ? r.error.line : null,
        };
      if (interrupted && r.error?.type === 'KeyboardInterrupt') {
        return {
          ...base,
          status: 'timeout',
          error: { type: 'Timeout', message: `timed out after ${timeoutMs} ms`, line: base.error?.line ?? null },
        };
      }
      return base;
    }
    // No usable result: the host was killed after the grace period, or the interpreter died.
    if (inst.alive) this.kill(inst, 'invalid reply');
    const lost = 'The Python interpreter was restarted; the session state was lost.';
    if (killed) {
      return {
        status: 'timeout',
        stdout: '',
        stderr: '',
        cell,
        durationMs,
        truncated: false,
        error: {
          type: 'Timeout',
          message: `timed out after ${timeoutMs} ms and did not stop within ${this.graceMs} ms of the interrupt. ${lost}`,
          line: null,
        },
        traceback: '',
      };
    }
    const message = `the interpreter stopped (${whyLost(reply)}). ${lost}`;
    return {
      status: 'error',
      stdout: '',
      stderr: '',
      cell,
      durationMs,
      truncated: false,
      error: { type: 'PythonRuntimeError', message, line: null },
      traceback: `PythonRuntimeError: ${message}`,
    };
  }
}
