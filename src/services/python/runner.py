# Over 300 lines: the whole Python side of the runner (cells, output capture and caps, isolation, reset) is one namespace by design.
"""The Python side of the runner, executed once in a fresh interpreter inside a private module namespace.

It defines `run_cell(code, cell, isolated, max_chars) -> str` (JSON) and `reset_session()`.

Why it formats tracebacks itself: the reflection data of the paper (ReflectionSeq, App. C) shows IPython's
traceback style (`Cell In[1], line 15`, the failing line marked `---> 15`, two context lines either side,
`ErrorType: message`), and a model trained on those records should see the same shape at use time.
Loaded with Vite `?raw` in the browser (src/platform/browser/python-transport.ts) and read from disk in Node
(src/platform/node/python-node.ts).
"""

import ast, builtins, inspect, io, json, linecache, sys, time

# IPython 8 draws its traceback header rule and right-aligns "Traceback (most recent call last)" in this width.
TRACEBACK_WIDTH = 75
RULE = "-" * TRACEBACK_WIDTH
# Longest chain of __cause__/__context__ exceptions shown (a cycle-safe bound, like traceback's own limit).
MAX_CHAINED = 10
# IPython collapses a run of at least this many identical frames (deep recursion) into first two, a note, last.
COLLAPSE_RUN = 4
# Line-number column width of IPython's context lines ("---> 15 " / "     16 ").
LINENO_WIDTH = 7
_BUILTINS = dict(builtins.__dict__)
_RECURSION_LIMIT = sys.getrecursionlimit()
_REAL_STREAMS = (sys.stdout, sys.stderr, sys.stdin)
# Bound once: code run in an earlier cell may patch these modules (changes to imported modules persist in
# the interpreter), and must not be able to change how later cells are compiled or how results are reported.
_parse, _Expr, _Expression = ast.parse, ast.Expr, ast.Expression
_dumps = json.dumps
_getlines = linecache.getlines
_StringIO = io.StringIO
_exec, _eval, _compile = builtins.exec, builtins.eval, builtins.compile
_state = {"ns": None, "cell": 0, "isolated": 0}
# time.sleep in Pyodide blocks inside C and reads the interrupt flag there through JavaScript, which throws the
# KeyboardInterrupt across the C frames of the running cell: the interpreter is then lost, and a run stuck in
# sleep(100) could only be stopped by replacing it. A sleep that waits in Python bytecode receives the
# interrupt like any loop (at the cost of a busy core while it waits).
_real_sleep = time.sleep
_monotonic = time.monotonic


def _interruptible_sleep(seconds):
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    end = _monotonic() + seconds
    while _monotonic() < end:
        pass


_interruptible_sleep.__name__ = _interruptible_sleep.__qualname__ = "sleep"
_interruptible_sleep.__doc__ = _real_sleep.__doc__
time.sleep = _interruptible_sleep
# filename -> the cell number shown in tracebacks ('Cell In[n]').
_DISPLAY = {}


class BoundedStream(io.TextIOBase):
    """Keeps the first max_chars characters and counts the rest, so printing megabytes costs no memory."""

    def __init__(self, max_chars):
        self._parts = []
        self._kept = 0
        self._max = max_chars
        self.dropped = 0

    def writable(self):
        return True

    def write(self, s):
        if not isinstance(s, str):
            raise TypeError("write() argument must be str, not " + type(s).__name__)
        room = self._max - self._kept
        if room >= len(s):
            self._parts.append(s)
            self._kept += len(s)
        else:
            if room > 0:
                self._parts.append(s[:room])
                self._kept += room
            self.dropped += len(s) - max(room, 0)
        return len(s)

    def value(self):
        text = "".join(self._parts)
        if self.dropped:
            text += "\n[output truncated: %d more characters]\n" % self.dropped
        return text


def _new_namespace():
    return {"__name__": "__main__", "__builtins__": builtins}


def _restore_builtins():
    d = builtins.__dict__
    for k in [k for k in d if k not in _BUILTINS]:
        del d[k]
    d.update(_BUILTINS)


def reset_session():
    _state["ns"] = None
    _state["cell"] = 0
    for name in [f for f in _DISPLAY if f.startswith("<cell-")]:
        linecache.cache.pop(name, None)
        del _DISPLAY[name]


def _cell_of(filename):
    return _DISPLAY.get(filename)


def _location(filename, lineno):
    n = _cell_of(filename)
    if n is not None:
        return "Cell In[%d], line %s" % (n, lineno)
    return "File %s:%s" % (filename, lineno)


def _call(code):
    # IPython 8 prints 'in f(x, y)' for a function frame and nothing for module level.
    if code.co_name == "<module>":
        return ""
    names = list(code.co_varnames[: code.co_argcount + code.co_kwonlyargcount])
    if code.co_flags & inspect.CO_VARARGS:
        names.append("*" + code.co_varnames[len(names)])
    if code.co_flags & inspect.CO_VARKEYWORDS:
        names.append("**" + code.co_varnames[len(names)])
    return ", in %s(%s)" % (code.co_name, ", ".join(names))


def _scope(code, n_lines):
    # stack_data limits the context to the frame's own code: a function's lines, or the whole cell.
    if code.co_name == "<module>":
        return 1, n_lines
    last = max([l for _, _, l in code.co_lines() if l] or [code.co_firstlineno])
    return code.co_firstlineno, last


def _context(code, lineno):
    # IPython 8 (stack_data) shows two non-blank lines either side of the failing line; blank lines are hidden.
    lines = _getlines(code.co_filename)
    if not lines or lineno is None or lineno < 1 or lineno > len(lines):
        return []
    first, last = _scope(code, len(lines))
    shown = [i for i in range(first, min(last, len(lines)) + 1) if lines[i - 1].strip() or i == lineno]
    if lineno not in shown:
        shown = sorted(set(shown) | {lineno})
    at = shown.index(lineno)
    window = shown[max(0, at - 2): at + 3]
    # IPython (stack_data) strips the indentation that the shown non-blank lines have in common.
    indents = [len(lines[i - 1]) - len(lines[i - 1].lstrip()) for i in window if lines[i - 1].strip()]
    indent = min(indents) if indents else 0
    out = []
    for i in window:
        text = lines[i - 1][indent:].rstrip("\n").rstrip()
        if i == lineno:
            num = str(i)
            pad = LINENO_WIDTH - len(num)
            arrow = ("-" * (pad - 2) + "> ") if pad >= 2 else (">" if pad == 1 else "")
            out.append("%s%s %s" % (arrow, num, text))
        else:
            out.append("%*d %s" % (LINENO_WIDTH, i, text))
    return out


def _frames(tb):
    frames = []
    while tb is not None:
        frames.append((tb.tb_frame.f_code, tb.tb_lineno, None))
        tb = tb.tb_next
    # Drop the runner's own frames: the traceback starts at the first cell frame, as in a notebook.
    for i, (code, _, _) in enumerate(frames):
        if _cell_of(code.co_filename) is not None:
            return frames[i:]
    return frames


def _exc_line(etype, evalue):
    return "%s: %s" % (etype.__name__, evalue)


def _format_syntax_error(e):
    lines = []
    filename = e.filename or "<unknown>"
    lines.append("  " + _location(filename, e.lineno))
    if e.text:
        text = e.text.rstrip("\n")
        stripped = text.lstrip()
        lines.append("    " + stripped)
        if e.offset:
            col = max(0, e.offset - 1 - (len(text) - len(stripped)))
            end = getattr(e, "end_offset", None)
            width = 1
            if end and getattr(e, "end_lineno", e.lineno) == e.lineno and end > e.offset:
                width = end - e.offset
            lines.append("    " + " " * col + "^" * width)
    lines.append("%s: %s" % (type(e).__name__, e.msg))
    return "\n".join(lines)


CAUSE = "The above exception was the direct cause of the following exception:"
CONTEXT = "During handling of the above exception, another exception occurred:"


def _format_traceback(e):
    if isinstance(e, SyntaxError) and _cell_of(e.filename or "") is not None:
        return _format_syntax_error(e)
    # Chained exceptions, oldest first, joined by Python's own sentences (IPython 8 prints the rule once).
    parts = [_format_one(e)]
    seen = {id(e)}
    cur = e
    while True:
        if cur.__cause__ is not None:
            nxt, why = cur.__cause__, CAUSE
        elif cur.__context__ is not None and not cur.__suppress_context__:
            nxt, why = cur.__context__, CONTEXT
        else:
            break
        if id(nxt) in seen or len(parts) > MAX_CHAINED:
            break
        seen.add(id(nxt))
        parts[:0] = [_format_one(nxt), why]
        cur = nxt
    return RULE + "\n" + "\n\n".join(parts)


def _format_one(e):
    etype = type(e)
    out = [etype.__name__ + "Traceback (most recent call last)".rjust(TRACEBACK_WIDTH - len(etype.__name__))]
    def frame_block(code, lineno):
        head = _location(code.co_filename, lineno) + _call(code)
        return "\n".join([head] + _context(code, lineno))

    # Runs of identical frames (deep recursion) collapse as IPython does.
    runs = []
    for code, lineno, _ in _frames(e.__traceback__):
        key = (code.co_filename, lineno, code.co_name)
        if runs and runs[-1][0] == key:
            runs[-1][2] += 1
        else:
            runs.append([key, (code, lineno), 1])
    blocks = []
    for key, (code, lineno), n in runs:
        if n >= COLLAPSE_RUN:
            # IPython: the first two, a note, the last one.
            blocks += [frame_block(code, lineno)] * 2
            blocks.append("    [... skipping similar frames: %s at line %s (%d times)]" % (key[2], key[1], n - 3))
            blocks.append(frame_block(code, lineno))
        else:
            blocks += [frame_block(code, lineno)] * n
    out.append("\n\n".join(blocks))
    out.append("")
    out.append(_exc_line(etype, e))
    return "\n".join(out)


def _error_line(e, filename):
    if isinstance(e, SyntaxError) and e.filename == filename:
        return e.lineno
    line = None
    tb = e.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _execute(code, filename, ns, out):
    tree = _parse(code, filename, "exec")
    last = None
    if tree.body and isinstance(tree.body[-1], _Expr):
        last = _Expression(tree.body.pop().value)
    _exec(_compile(tree, filename, "exec"), ns)
    if last is not None:
        value = _eval(_compile(last, filename, "eval"), ns)
        if value is not None:
            # Like a notebook cell, the value of a final expression is shown.
            out.write(repr(value) + "\n")


def _cap(text, max_chars, capped):
    """The first max_chars characters of text, with a note of how many were dropped (recorded in capped)."""
    if len(text) <= max_chars:
        return text
    capped.append(len(text) - max_chars)
    return text[:max_chars] + "\n[truncated: %d more characters]" % (len(text) - max_chars)


def run_cell(code, cell, isolated, max_chars):
    if isolated:
        _restore_builtins()
        ns = _new_namespace()
        cell = 1
        # A private filename, so an isolated run never replaces the source of session cell 1 in linecache.
        _state["isolated"] += 1
        filename = "<isolated-%d>" % _state["isolated"]
    else:
        if _state["ns"] is None:
            _state["ns"] = _new_namespace()
        _state["cell"] += 1
        cell = _state["cell"]
        ns = _state["ns"]
        filename = "<cell-%d>" % cell
    _DISPLAY[filename] = cell
    linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
    out, err = BoundedStream(max_chars), BoundedStream(max_chars)
    sys.stdout, sys.stderr, sys.stdin = out, err, _StringIO("")
    result = {"status": "ok", "cell": cell, "traceback": ""}
    capped = []
    try:
        _execute(code, filename, ns, out)
    except BaseException as e:
        try:
            tb = _format_traceback(e)
        except BaseException as fmt_err:
            tb = "%s\n(traceback formatting failed: %s)" % (type(e).__name__, type(fmt_err).__name__)
        try:
            message = str(e) if not isinstance(e, SyntaxError) else str(e.msg)
        except BaseException as str_err:
            message = "(str() of the exception failed: %s)" % type(str_err).__name__
        result["status"] = "error"
        # The output cap covers every channel: an exception message or traceback of any size is cut too.
        result["traceback"] = _cap(tb, max_chars, capped)
        result["error"] = {
            "type": _cap(type(e).__name__, max_chars, capped),
            "message": _cap(message, max_chars, capped),
            "line": _error_line(e, filename),
        }
        e.__traceback__ = None
    finally:
        sys.stdout, sys.stderr, sys.stdin = _REAL_STREAMS
        sys.setrecursionlimit(_RECURSION_LIMIT)
        if isolated:
            _restore_builtins()
            ns.clear()
            linecache.cache.pop(filename, None)
            _DISPLAY.pop(filename, None)
    result["stdout"] = out.value()
    result["stderr"] = err.value()
    result["truncated"] = bool(out.dropped or err.dropped or capped)
    return _dumps(result)
