#!/usr/bin/env bash
# Build the Linux classroom installer: a one-folder PyInstaller app, a .tar.gz and a .deb.
#
#   bash packaging/build_linux.sh                  # clean venv, build, archives -> dist/
#   bash packaging/build_linux.sh --folder-only    # just dist/toy-network-playground/ (what the test uses)
#   bash packaging/build_linux.sh --reuse-venv     # keep build/packaging/venv from an earlier run (faster)
#
# Environment: PYTHON (default python3.11, else python3); TORCH_INDEX_URL (PyTorch's CPU index on
# machines where pip would otherwise pick a CUDA build); DEB_MAINTAINER (the .deb's Maintainer).
# Exit status: 0 built; 1 the build or its check failed; 2 bad option; 3 the build environment
# could not be prepared (not Linux/Debian, no root for apt, the package registry out of reach).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
NAME=toy-network-playground
WORK=$REPO/build/packaging
VENV=$WORK/venv
DIST=$REPO/dist
APP=$DIST/$NAME
# The X libraries Qt's xcb platform links to. PyInstaller copies them into the bundle, so a build
# machine without them makes an app that opens no window on a classroom PC.
X_LIBS=(libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxkbcommon-x11-0 libxcb-xinerama0)

say() { echo "build_linux: [${SECONDS}s] $*"; }
fail() { echo "build_linux: $*" >&2; exit 1; }
env_fail() { echo "build_linux: cannot prepare the build environment: $*" >&2; exit 3; }

install_x_libraries() {
  command -v dpkg >/dev/null || env_fail "no dpkg: this script builds on Debian or Ubuntu"
  local missing=() lib
  for lib in "${X_LIBS[@]}"; do dpkg -s "$lib" >/dev/null 2>&1 || missing+=("$lib"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null \
    || env_fail "install these first (as root): apt-get install ${missing[*]}"
  say "installing ${missing[*]}"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}") >/dev/null 2>&1 \
    || env_fail "apt-get could not install ${missing[*]}"
}

pip_install() {  # quiet unless it fails; pip's log is kept in build/packaging/pip.log
  "$VENV/bin/python" -m pip install -q "$@" >> "$WORK/pip.log" 2>&1 && return 0
  tail -5 "$WORK/pip.log" >&2
  # An unreachable registry is the machine's problem; any other pip failure is ours (a bad pin).
  if grep -qiE 'NewConnectionError|Max retries exceeded|Temporary failure in name resolution|Network is unreachable|Connection (refused|reset)|timed out' "$WORK/pip.log"; then
    env_fail "the package registry is out of reach: pip could not install $* (log: $WORK/pip.log)"
  fi
  fail "pip could not install $* (log: $WORK/pip.log)"
}

make_venv() {
  # CPU torch first and pinned (a bare `torch` would resolve to a multi-GB CUDA build), then the
  # app's dependencies and the `packaging` extra from pyproject.toml. The app itself is bundled
  # from this source tree, so it is not installed.
  local python=${PYTHON:-$(command -v python3.11 || command -v python3)}
  rm -rf "$VENV"
  say "making a clean virtual environment with $("$python" --version 2>&1)"
  "$python" -m venv "$VENV" || env_fail "$python -m venv failed"
  : > "$WORK/pip.log"
  pip_install --upgrade pip
  # Here pip finds the CPU build on local disk; elsewhere set TORCH_INDEX_URL to PyTorch's CPU index.
  pip_install ${TORCH_INDEX_URL:+--index-url "$TORCH_INDEX_URL"} "torch==2.13.0"
  "$VENV/bin/python" -c '
import tomllib
project = tomllib.load(open("pyproject.toml", "rb"))["project"]
print("\n".join(project["dependencies"] + project["optional-dependencies"]["packaging"]))' > "$WORK/requirements.txt"
  pip_install -r "$WORK/requirements.txt"
}

build_folder() {
  "$VENV/bin/python" -c "import torch; assert torch.version.cuda is None" \
    || fail "the build venv has a CUDA torch (it would bundle to 4-5 GB); delete $VENV"
  say "building $APP (a few minutes)"
  rm -rf "$APP"
  "$VENV/bin/pyinstaller" --noconfirm --log-level WARN --distpath "$DIST" --workpath "$WORK/pyinstaller" \
    packaging/playground.spec > "$WORK/pyinstaller.log" 2>&1 \
    || { tail -30 "$WORK/pyinstaller.log" >&2; fail "PyInstaller failed; log: $WORK/pyinstaller.log"; }
  # A first check that the frozen Python, torch and the CLI start (the GUI self-test is the test's).
  OMP_NUM_THREADS=1 LANG=C.UTF-8 "$APP/$NAME" presets > /dev/null \
    || fail "the frozen app does not start: $APP/$NAME presets failed"
  say "one-folder app: $APP ($(( $(du -sb "$APP" | cut -f1) / 1000000 )) MB)"
}

write_tarball() {
  TARBALL=$DIST/$NAME-$VERSION-linux-$(uname -m).tar.gz
  say "writing $TARBALL"
  tar -C "$DIST" -czf "$TARBALL" "$NAME"
}

write_deb() {
  # The app in /opt, a command on the PATH, a menu entry and its icon.
  local arch root glibc
  arch=$(dpkg --print-architecture)
  DEB=$DIST/${NAME}_${VERSION}_${arch}.deb
  root=$WORK/deb
  rm -rf "$root"
  mkdir -p "$root/DEBIAN" "$root/opt" "$root/usr/bin" "$root/usr/share/applications" \
    "$root/usr/share/icons/hicolor/256x256/apps"
  cp -al "$APP" "$root/opt/$NAME"  # hard links: no second copy of 600 MB
  printf '#!/bin/sh\n# Toy Network Playground: the one-folder app lives in /opt/%s.\nexec /opt/%s/%s "$@"\n' \
    "$NAME" "$NAME" "$NAME" > "$root/usr/bin/$NAME"
  chmod 755 "$root/usr/bin/$NAME"
  install -m 644 "resources/$NAME.desktop" "$root/usr/share/applications/$NAME.desktop"
  install -m 644 resources/icon.png "$root/usr/share/icons/hicolor/256x256/apps/$NAME.png"
  # Depends: the newest glibc symbol any bundled binary asks for, and the system libraries
  # PyInstaller deliberately leaves out of bundles (GL, EGL, xcb: they must match the machine).
  glibc=$(find "$APP" -type f \( -name '*.so*' -o -name "$NAME" \) -exec objdump -T {} + 2>/dev/null \
    | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -u -V | tail -1)
  cat > "$root/DEBIAN/control" <<EOF
Package: $NAME
Version: $VERSION
Architecture: $arch
Maintainer: ${DEB_MAINTAINER:-Toy Network Playground maintainers <maintainers@localhost>}
Installed-Size: $(du -sk "$root/opt" | cut -f1)
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
  dpkg-deb --root-owner-group -Zxz --build "$root" "$DEB" > /dev/null
  rm -rf "$root"
}

main() {
  local folder_only=no reuse_venv=no arg
  for arg in "$@"; do
    case $arg in
      --folder-only) folder_only=yes ;;
      --reuse-venv) reuse_venv=yes ;;
      *) echo "build_linux: unknown option $arg" >&2; exit 2 ;;
    esac
  done
  [ "$(uname -s)" = Linux ] || env_fail "this script builds on Linux (see packaging/README.md for Windows and macOS)"
  mkdir -p "$WORK"
  install_x_libraries
  if [ "$reuse_venv" = no ] || [ ! -x "$VENV/bin/pyinstaller" ]; then make_venv; fi
  build_folder
  [ "$folder_only" = yes ] && return 0
  VERSION=$("$VENV/bin/python" -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')
  write_tarball
  write_deb
  ls -l "$TARBALL" "$DEB" | awk '{printf "build_linux: %s (%d MB)\n", $NF, $5 / 1000000}'
}

main "$@"
exit
