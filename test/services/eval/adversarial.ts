/** Adversarial samples for the isolation tests (Node and Chromium) and the probes that must keep their verdicts. */
import type { HumanEvalProblem } from '../../../src/api/eval.ts';

const problem = (entry: string, prompt: string, test: string): HumanEvalProblem => ({
  task_id: `Iso/${entry}`,
  prompt,
  canonical_solution: '',
  test,
  entry_point: entry,
});

/** Probes: each uses the standard library the attacks damage. */
export const PROBES: { name: string; problem: HumanEvalProblem; right: string; wrong: string }[] = [
  {
    name: 'base64',
    problem: problem(
      'enc',
      'import base64\n\ndef enc(s):\n',
      'def check(c):\n    assert c("hi") == "aGk="\n    assert base64.b64decode(c("hi")) == b"hi"\n',
    ),
    right: '    return base64.b64encode(s.encode()).decode()\n',
    wrong: '    return s\n',
  },
  {
    name: 'json',
    problem: problem(
      'dump',
      'import json\n\ndef dump(x):\n',
      'def check(c):\n    assert c({"a": 1}) == \'{"a": 1}\'\n',
    ),
    right: '    return json.dumps(x)\n',
    wrong: '    return str(x)\n',
  },
  {
    name: 'hashlib',
    problem: problem(
      'md5',
      'import hashlib\n\ndef md5(s):\n',
      'def check(c):\n    assert c("a") == "0cc175b9c0f1b6a831c399e269772661"\n',
    ),
    right: '    return hashlib.md5(s.encode()).hexdigest()\n',
    wrong: '    return hashlib.sha1(s.encode()).hexdigest()\n',
  },
  {
    name: 'recursion',
    problem: problem('depth', 'def depth(n):\n', 'def check(c):\n    assert c(500) == 500\n'),
    right: '    return 0 if n == 0 else 1 + depth(n - 1)\n',
    wrong: '    return n - 1\n',
  },
  {
    name: 'warnings + builtins',
    problem: problem(
      'total',
      'import warnings\n\ndef total(xs):\n',
      'def check(c):\n    assert c([1, 2, 3]) == 6\n    assert len(range(3)) == 3\n',
    ),
    right: '    warnings.warn("note", DeprecationWarning)\n    return sum(xs)\n',
    wrong: '    return max(xs)\n',
  },
];

const host = PROBES[0].problem;
const attack = (name: string, completion: string) => ({ name, problem: host, completion });

export const ADVERSARIAL: { name: string; problem: HumanEvalProblem; completion: string }[] = [
  attack(
    'patch base64.b64decode / json.dumps / hashlib.md5 = None',
    '    import json, hashlib\n    base64.b64decode = lambda *a: b"hi"\n    base64.b64encode = lambda b: b"aGk="\n    json.dumps = lambda *a, **k: \'{"a": 1}\'\n    hashlib.md5 = None\n    return "aGk="\n',
  ),
  attack('warnings become errors', '    import warnings\n    warnings.simplefilter("error")\n    return "x"\n'),
  attack(
    'busy asyncio callback left on the loop',
    '    import asyncio\n    loop = asyncio.get_event_loop()\n    def busy():\n        while True:\n            pass\n    loop.call_soon(busy)\n    loop.call_later(0.01, busy)\n    return "x"\n',
  ),
  attack('sys.setrecursionlimit(30)', '    import sys\n    sys.setrecursionlimit(30)\n    return "x"\n'),
  attack(
    'builtins tampering',
    '    import builtins\n    builtins.sum = lambda xs: 6\n    builtins.max = lambda xs: 6\n    builtins.len = lambda x: 0\n    builtins.AssertionError = KeyError\n    return "x"\n',
  ),
  attack(
    'sys.modules games',
    '    import sys, types\n    fake = types.ModuleType("json")\n    fake.dumps = lambda x: \'{"a": 1}\'\n    sys.modules["json"] = fake\n    sys.modules["hashlib"] = None\n    del sys.modules["base64"]\n    return "x"\n',
  ),
  attack(
    'files written to the file system',
    '    import os\n    open("/tmp/leak.txt", "w").write("x")\n    os.makedirs("/tmp/a/b", exist_ok=True)\n    open("/home/pyodide/json.py", "w").write("def dumps(x):\\n    return \'{\\"a\\": 1}\'\\n")\n    return "x"\n',
  ),
  attack(
    'threads and timers',
    '    import threading, signal\n    try:\n        threading.Thread(target=lambda: None).start()\n    except Exception:\n        pass\n    try:\n        signal.setitimer(signal.ITIMER_REAL, 0.05)\n    except Exception:\n        pass\n    threading.Timer(0.01, lambda: None)\n    return "x"\n',
  ),
  attack(
    'stdio replaced and closed',
    '    import sys, os\n    sys.stdout = None\n    sys.stderr = open("/tmp/err.txt", "w")\n    sys.stdin.close()\n    return "x"\n',
  ),
  attack('an endless loop stopped at its limit', '    while True:\n        pass\n'),
  attack(
    'gc and object graph damage',
    '    import gc, sys\n    gc.disable()\n    sys.setswitchinterval(1e-6)\n    sys.path.insert(0, "/tmp")\n    sys.meta_path.clear()\n    return "x"\n',
  ),
];
