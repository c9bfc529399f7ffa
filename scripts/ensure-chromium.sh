#!/usr/bin/env bash
# Makes sure the browser tests can run: Debian's chromium (with its SwiftShader Vulkan driver, for
# WebGPU without a GPU) and libvulkan1 (Dawn's loader for WebGPU in Node). Installs them when we
# are root; otherwise says what to run. Never downloads a browser any other way.
set -euo pipefail

missing=()
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
if ! { ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1 ' || ls /usr/lib/*/libvulkan.so.1 >/dev/null 2>&1; }; then
  missing+=(libvulkan1)
fi

if ((${#missing[@]} == 0)); then
  echo "ensure-chromium: /usr/bin/chromium and libvulkan.so.1 present"
  exit 0
fi

if [[ $(id -u) -eq 0 ]]; then
  echo "ensure-chromium: installing ${missing[*]} (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends chromium libvulkan1
  [[ -x /usr/bin/chromium ]] || { echo "ensure-chromium: chromium still missing after apt-get" >&2; exit 1; }
  exit 0
fi

cat >&2 <<MSG
ensure-chromium: missing ${missing[*]}. The browser tests need Debian's Chromium and libvulkan1. Run:

    sudo apt-get update && sudo apt-get install -y chromium libvulkan1

then run the tests again.
MSG
exit 1
