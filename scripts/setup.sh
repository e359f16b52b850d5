#!/usr/bin/env bash
# Installs Wenyuan into .venv: `bash scripts/setup.sh` for the app, `bash scripts/setup.sh --test` for the tests too.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
if [[ "${1:-}" == "--test" ]]; then
  # the browser tests drive Debian's Chromium (never a downloaded browser); a CJK font makes screenshots readable
  if [[ ! -x /usr/bin/chromium ]]; then
    if [[ $(id -u) -eq 0 ]]; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null
    else
      echo "note: install Debian's chromium (sudo apt-get install chromium) to run the browser tests" >&2
    fi
  fi
  # torch first, pinned: the CPU build that pip finds on this disk; otherwise sentence-transformers pulls a CUDA build
  .venv/bin/pip install --quiet torch==2.13.0
  .venv/bin/pip install --quiet -e ".[st,test]"
else
  .venv/bin/pip install --quiet -e .
fi
