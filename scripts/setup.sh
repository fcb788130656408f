#!/usr/bin/env bash
# Installs the Debian 12 packages that building and testing zooc needs, when any is missing.
# Safe to run again: it does nothing when everything is present.
set -euo pipefail
pkgs=(antlr4 libantlr4-runtime-dev libfmt-dev uuid-dev
      llvm-14-dev llvm-14-tools clang-14 libclang-rt-14-dev
      cmake ninja-build g++ default-jre-headless python3 git
      vim   # tests of the editor syntax file (editors/vim)
      zsh   # tests of the zsh completion (editors/completion/_zooc), run in zsh itself
      python3-jsonschema  # the JSON output against docs/zoo.schema.json
      chromium)  # renders --emit=html headless in tests/Backends (binary: /usr/bin/chromium)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
echo "setup: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
