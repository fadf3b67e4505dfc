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
# cluster: Dask's distributed scheduler, so the `sweep --scheduler local` test runs too (it needs no torch of its own).
.venv/bin/python -m pip install -q -e ".[test,cluster]"
# Qt needs these system libraries: libEGL, fontconfig and D-Bus to load at all (offscreen too),
# the xcb ones for a real window. Install whichever are missing.
qt_libs="libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxkbcommon-x11-0 libxcb-xinerama0 libxcb-randr0
  libxcb-render-util0 libxcb-image0 libxcb-shape0 libegl1 libgl1 libfontconfig1 libdbus-1-3"
missing=$(for p in $qt_libs; do dpkg -s "$p" >/dev/null 2>&1 || echo "$p"; done 2>/dev/null || true)
if [ -n "$missing" ] && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing) >/dev/null 2>&1 \
    || echo "setup: could not install $(echo $missing) (Qt may not start without them)"
elif [ -n "$missing" ]; then
  echo "setup: please install these system packages for Qt: $(echo $missing)"
fi
echo "setup: ready (.venv)"
