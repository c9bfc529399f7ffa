/**
 * N pristine Python hosts checking in parallel: each check goes to the next free host, so one slow or endless
 * sample holds only its own host (for its time limit), never the others. Hosts start together (a warm pool);
 * a host that dies or must be recycled is replaced by its supervisor on its next check.
 */
import type { CheckOutcome, PythonChecker } from '../../api/python.ts';
import { UsageError } from '../../core/errors.ts';

export interface PoolMember extends PythonChecker {
  start(): Promise<{ version: string; loadMs: number }>;
  dispose(): void;
}

export class CheckPool implements PythonChecker {
  private readonly idle: PoolMember[];
  private readonly waiting: ((m: PoolMember) => void)[] = [];

  constructor(readonly members: readonly PoolMember[]) {
    if (members.length < 1) throw new UsageError('a check pool needs at least one Python host');
    this.idle = [...members];
  }

  get size(): number {
    return this.members.length;
  }

  /** Starts every host at once; resolves with the slowest start. */
  async start(): Promise<{ version: string; loadMs: number }> {
    const started = await Promise.all(this.members.map((m) => m.start()));
    return { version: started[0].version, loadMs: Math.max(...started.map((s) => s.loadMs)) };
  }

  async check(
    kind: Parameters<PythonChecker['check']>[0],
    payload: object,
    options: { timeoutMs: number },
  ): Promise<CheckOutcome> {
    const member = this.idle.pop() ?? (await new Promise<PoolMember>((resolve) => this.waiting.push(resolve)));
    try {
      return await member.check(kind, payload, options);
    } finally {
      const next = this.waiting.shift();
      if (next) next(member);
      else this.idle.push(member);
    }
  }

  dispose(): void {
    for (const m of this.members) m.dispose();
  }
}
