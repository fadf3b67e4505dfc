#!/usr/bin/env bash
# Build the Linux classroom installer: a one-folder PyInstaller app, a .tar.gz and a .deb.
#
#   bash packaging/build_linux.sh                  # clean venv, build, archives -> dist/
#   bash packaging/build_linux.sh --folder-only    # just dist/toy-network-playground/ (what the test uses)
#   bash packaging/build_linux.sh --reuse-venv     # keep build/packaging/venv from an earlier run (faster)
#
# Exit status: 0 built; 1 the build or its check failed; 3 the build environment could not be
# prepared (no Python/venv, a package or an X library could not be installed): not the app's fault.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)

folder_only=no reuse_venv=no
for arg in "$@"; do
  case $arg in
    --folder-only) folder_only=yes ;;
    --reuse-venv) reuse_venv=yes ;;
    *) echo "build_linux: unknown option $arg" >&2; exit 2 ;;
  esac
done

NAME=toy-network-playground
WORK=$REPO/build/packaging
VENV=$WORK/venv
DIST=$REPO/dist
APP=$DIST/$NAME
say() { echo "build_linux: [${SECONDS}s] $*"; }
env_fail() { echo "build_linux: cannot prepare the build environment: $*" >&2; exit 3; }

[ "$(uname -s)" = Linux ] || env_fail "this script builds on Linux (see packaging/README.md for Windows and macOS)"

# 1. The X libraries Qt's xcb platform links to. PyInstaller copies them into the bundle, so a
#    build machine without them makes an app that opens no window on a classroom PC.
X_LIBS=(libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxkbcommon-x11-0 libxcb-xinerama0)
missing=()
for lib in "${X_LIBS[@]}"; do dpkg -s "$lib" >/dev/null 2>&1 || missing+=("$lib"); done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing ${missing[*]}"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}") >/dev/null 2>&1 \
      || env_fail "apt-get could not install ${missing[*]}"
  else
    env_fail "install these first (as root): apt-get install ${missing[*]}"
  fi
fi

# 2. A clean virtual environment: CPU torch first and pinned (a bare `torch` would resolve to a
#    multi-GB CUDA build), then the app's dependencies and PyInstaller from pyproject.toml.
PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}
mkdir -p "$WORK"
if [ "$reuse_venv" = no ] || [ ! -x "$VENV/bin/pyinstaller" ]; then
  rm -rf "$VENV"
  say "making a clean virtual environment with $("$PYTHON" --version 2>&1)"
  "$PYTHON" -m venv "$VENV" || env_fail "$PYTHON -m venv failed"
  pip_install() {  # quiet unless it fails; pip's log is kept in build/packaging/pip.log
    "$VENV/bin/python" -m pip install -q "$@" >> "$WORK/pip.log" 2>&1 && return 0
    tail -5 "$WORK/pip.log" >&2
    # An unreachable registry is the machine's problem; any other pip failure is ours (a bad pin).
    if grep -qiE 'NewConnectionError|Max retries exceeded|Temporary failure in name resolution|Network is unreachable|Connection (refused|reset)|timed out' "$WORK/pip.log"; then
      env_fail "the package registry is out of reach: pip could not install $* (log: $WORK/pip.log)"
    fi
    echo "build_linux: pip could not install $* (log: $WORK/pip.log)" >&2
    exit 1
  }
  : > "$WORK/pip.log"
  pip_install --upgrade pip
  pip_install "torch==2.13.0"
  # The app's own dependencies and the `packaging` extra, read from pyproject.toml; the app itself
  # is bundled from this source tree, so it is not installed.
  "$VENV/bin/python" - > "$WORK/requirements.txt" <<'EOF'
import tomllib
project = tomllib.load(open("pyproject.toml", "rb"))["project"]
print("\n".join(project["dependencies"] + project["optional-dependencies"]["packaging"]))
EOF
  pip_install -r "$WORK/requirements.txt"
fi
"$VENV/bin/python" -c "import torch; assert torch.version.cuda is None, 'a CUDA torch would bundle to 4-5 GB'" \
  || { echo "build_linux: the build venv has a CUDA torch; delete $VENV" >&2; exit 1; }

# 3. The one-folder build (the spec slims and strips it).
say "building $APP (a few minutes)"
rm -rf "$APP"
"$VENV/bin/pyinstaller" --noconfirm --log-level WARN --distpath "$DIST" --workpath "$WORK/pyinstaller" \
  packaging/playground.spec > "$WORK/pyinstaller.log" 2>&1 \
  || { tail -30 "$WORK/pyinstaller.log" >&2; echo "build_linux: PyInstaller failed; log: $WORK/pyinstaller.log" >&2; exit 1; }
# A first check that the frozen Python, torch and the CLI start (the GUI self-test is the test's job).
OMP_NUM_THREADS=1 LANG=C.UTF-8 "$APP/$NAME" presets > /dev/null \
  || { echo "build_linux: the frozen app does not start: $APP/$NAME presets failed" >&2; exit 1; }
size_mb=$(du -sb "$APP" | cut -f1)
say "one-folder app: $APP ($((size_mb / 1000000)) MB)"
[ "$folder_only" = yes ] && exit 0

# 4. The archives.
VERSION=$("$VENV/bin/python" -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')
ARCH=$(dpkg --print-architecture 2>/dev/null || echo amd64)
TARBALL=$DIST/$NAME-$VERSION-linux-$(uname -m).tar.gz
say "writing $TARBALL"
tar -C "$DIST" -czf "$TARBALL" "$NAME"

# The .deb: the app in /opt, a command on the PATH, a menu entry and its icon.
DEB=$DIST/${NAME}_${VERSION}_${ARCH}.deb
ROOT=$WORK/deb
rm -rf "$ROOT"
mkdir -p "$ROOT/DEBIAN" "$ROOT/opt" "$ROOT/usr/bin" "$ROOT/usr/share/applications" \
  "$ROOT/usr/share/icons/hicolor/256x256/apps"
cp -a "$APP" "$ROOT/opt/$NAME"
cat > "$ROOT/usr/bin/$NAME" <<EOF
#!/bin/sh
# Toy Network Playground: the installed one-folder app lives in /opt/$NAME.
exec /opt/$NAME/$NAME "\$@"
EOF
chmod 755 "$ROOT/usr/bin/$NAME"
cp resources/$NAME.desktop "$ROOT/usr/share/applications/$NAME.desktop"
cp resources/icon.png "$ROOT/usr/share/icons/hicolor/256x256/apps/$NAME.png"
# Dependencies: the newest glibc symbol any bundled binary asks for, and the system libraries
# PyInstaller deliberately leaves out of bundles (GL, EGL, xcb), which must match the machine's driver.
glibc=$(find "$APP" -type f \( -name '*.so*' -o -name "$NAME" \) -exec objdump -T {} + 2>/dev/null \
  | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -u -V | tail -1)
cat > "$ROOT/DEBIAN/control" <<EOF
Package: $NAME
Version: $VERSION
Architecture: $ARCH
Maintainer: ${DEB_MAINTAINER:-Toy Network Playground maintainers <maintainers@localhost>}
Installed-Size: $(du -sk "$ROOT/opt" | cut -f1)
Depends: libc6 (>= ${glibc:-2.28}), libgl1, libegl1, libxcb1, libfontconfig1
Section: education
Priority: optional
Description: see deep-learning puzzles happen on small networks, live
 A desktop app in which students and teachers watch small neural networks
 learn: information-plane trajectories, gradient drift and diffusion, parity,
 catastrophic forgetting, memorisation of random labels. Self-contained
 (Python, PyTorch for CPU and Qt included); no internet connection needed.
EOF
say "writing $DEB"
dpkg-deb --root-owner-group -Zxz --build "$ROOT" "$DEB" > /dev/null
rm -rf "$ROOT"
ls -l "$TARBALL" "$DEB" | awk '{printf "build_linux: %s (%d MB)\n", $NF, $5 / 1000000}'
