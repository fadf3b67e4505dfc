#!/usr/bin/env bash
# Make .venv with everything the app and its tests need, on a machine without a GPU.
# torch comes first and pinned: a bare `torch` requirement would pull a multi-GB CUDA build.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
# On this kind of machine pip finds the CPU build of 2.13.0 on local disk.
.venv/bin/python -m pip install -q "torch==2.13.0"
.venv/bin/python -m pip install -q -e ".[test]"
# Qt's xcb platform (a real window) needs these X libraries; offscreen tests do not.
if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ] && ! dpkg -s libxcb-cursor0 >/dev/null 2>&1; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
     libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxkbcommon-x11-0 libxcb-xinerama0 \
     libxcb-randr0 libxcb-render-util0 libxcb-image0 libxcb-shape0 libegl1 libgl1 \
     libfontconfig1 libdbus-1-3) >/dev/null 2>&1 || echo "setup: could not install the X libraries (a real window may not open; tests run offscreen)"
fi
echo "setup: ready (.venv)"
