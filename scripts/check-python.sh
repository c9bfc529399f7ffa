#!/usr/bin/env bash
# The Python the app runs inside Pyodide (src/services/python/runner.py + evalcheck.py, executed as one module):
# byte-compiled with Python's own compileall, and linted with pyflakes when Debian's python3-pyflakes is installed.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=src/services/python
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat "$dir/runner.py" "$dir/evalcheck.py" > "$tmp/runner_module.py"
python3 -m compileall -q "$dir/runner.py" "$dir/evalcheck.py" "$tmp/runner_module.py" -d "$tmp" >/dev/null
find "$dir" -name __pycache__ -type d -prune -exec rm -rf {} +
if /usr/bin/python3 -c 'import pyflakes' 2>/dev/null; then
  /usr/bin/python3 -m pyflakes "$tmp/runner_module.py"
  echo "python: compileall and pyflakes clean"
else
  echo "python: compileall clean (pyflakes not installed: apt-get install python3-pyflakes)"
fi
