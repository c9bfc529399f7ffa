/**
 * N pristine Python hosts checking in parallel: each check goes to the next free host, so one slow or endless
 * sample holds only its own host (for its time limit), never the others. Hosts start together and checks begin
 * on the first ready one (a warm pool);
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

  /**
   * Starts every host at once and resolves as soon as the first is ready: checks begin on it while the others
   * are still starting, and each joins the pool when ready. Rejects only when the first start fails or all do;
   * a host that fails later simply stays out of the pool.
   */
  start(): Promise<{ version: string; loadMs: number }> {
    this.idle.length = 0;
    return new Promise((resolve, reject) => {
      let settled = false;
      let failed = 0;
      for (const m of this.members) {
        m.start().then(
          (info) => {
            this.release(m);
            if (!settled) {
              settled = true;
              resolve(info);
            }
          },
          (err: unknown) => {
            failed += 1;
            if (!settled && (failed === 1 || failed === this.members.length)) {
              settled = true;
              reject(err instanceof Error ? err : new Error(String(err)));
            }
          },
        );
      }
    });
  }

  /** Hands a host to the oldest waiting check, or back to the idle list. */
  private release(member: PoolMember): void {
    const next = this.waiting.shift();
    if (next) next(member);
    else this.idle.push(member);
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
      this.release(member);
    }
  }

  dispose(): void {
    for (const m of this.members) m.dispose();
  }
}
