#!/usr/bin/env bash
# Installs Wenyuan into .venv.
#   bash scripts/setup.sh          the app (reads .txt .md .docx .pdf .html)
#   bash scripts/setup.sh --full   the app and every optional reader: LibreOffice and antiword (.doc .wps), OCR
#                                  (scanned PDFs), sentence-transformers models
#   bash scripts/setup.sh --test   the full install and what the tests need (the browser tests drive Debian's Chromium)
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-}"
apt_install() {
  if [[ $(id -u) -eq 0 ]]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
  else
    echo "note: as root this would install: $* (sudo apt-get install $*)" >&2
  fi
}
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
if [[ "$mode" == "--full" || "$mode" == "--test" ]]; then
  # .doc and .wps through LibreOffice (MPL-2.0), antiword as its fallback; a CJK font for screenshots and OCR tests
  packages=(libreoffice-writer-nogui antiword fonts-wqy-microhei)
  [[ "$mode" == "--test" ]] && packages+=(chromium)
  missing=()
  for package in "${packages[@]}"; do dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package"); done
  [[ ${#missing[@]} -gt 0 ]] && apt_install "${missing[@]}"
  # torch first, pinned: the CPU build that pip finds on this disk; otherwise sentence-transformers pulls a CUDA build
  .venv/bin/pip install --quiet torch==2.13.0
  if [[ "$mode" == "--test" ]]; then
    .venv/bin/pip install --quiet -e ".[full,test]"
  else
    .venv/bin/pip install --quiet -e ".[full]"
  fi
else
  .venv/bin/pip install --quiet -e .
fi
