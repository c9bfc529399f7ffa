#!/usr/bin/env bash
# `npm test`: everything, in order, with a summary at the end and a non-zero exit on any failure.
#   1 chromium   Debian chromium + libvulkan1 (installed if root, otherwise instructions)
#   2 runtime    copy the Pyodide runtime and tfjs wasm binaries into public/
#   3 typecheck  UI (DOM), workers (WebWorker) and Node code against their own libs
#   3b python    compileall (+ pyflakes when installed) on the Python run inside Pyodide
#   3c lint      ESLint (typescript-eslint) and Prettier --check over the tree
#   4 unit       vitest project `unit` (Node)
#   5 build      vite build → dist/
#   6 browser    vitest project `browser` (the built app in Chromium)
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=node_modules/.bin

names=()
results=()
times=()
failed=0

step() {
  local name=$1
  shift
  echo
  echo "━━━ ${name}: $*"
  local t0=$SECONDS
  if "$@"; then
    results+=("pass")
  else
    results+=("FAIL")
    failed=1
  fi
  names+=("$name")
  times+=($((SECONDS - t0)))
}

skip() {
  names+=("$1")
  results+=("skipped ($2)")
  times+=(0)
}

rm -f test-results/vitest-unit.json test-results/vitest-browser.json
step chromium bash scripts/ensure-chromium.sh
chromium_ok=${results[-1]}
step runtime node scripts/copy-runtime.mjs
step typecheck bash -c "$BIN/tsc -p tsconfig.json --noEmit && $BIN/tsc -p tsconfig.worker.json --noEmit && $BIN/tsc -p tsconfig.node.json --noEmit"
step python bash scripts/check-python.sh
step lint bash -c "$BIN/eslint . && $BIN/prettier --check . --log-level warn"
step unit "$BIN/vitest" run --project unit --reporter=default --reporter=json --outputFile.json=test-results/vitest-unit.json
step build "$BIN/vite" build
build_ok=${results[-1]}
if [[ $build_ok != pass ]]; then
  skip browser "the build failed"
elif [[ $chromium_ok != pass ]]; then
  skip browser "chromium missing"
  failed=1
else
  step browser "$BIN/vitest" run --project browser --reporter=default --reporter=json --outputFile.json=test-results/vitest-browser.json
fi

echo
echo "━━━ summary"
for i in "${!names[@]}"; do
  printf '  %-10s %-24s %4ss\n' "${names[$i]}" "${results[$i]}" "${times[$i]}"
done
# One plain closing line with the test counts of both vitest projects (from their JSON reports).
node -e '
  const fs = require("fs");
  let p = 0, f = 0, s = 0;
  for (const n of ["unit", "browser"]) {
    const file = `test-results/vitest-${n}.json`;
    if (!fs.existsSync(file)) continue;
    const r = JSON.parse(fs.readFileSync(file, "utf8"));
    p += r.numPassedTests; f += r.numFailedTests; s += r.numPendingTests + r.numTodoTests;
  }
  console.log(`tests: ${p} passed, ${f} failed, ${s} skipped`);
'
if ((failed)); then
  echo "npm test: FAILED"
  exit 1
fi
echo "npm test: all passed"
