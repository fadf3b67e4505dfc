#!/usr/bin/env bash
# Build the macOS app and disk image: a clean venv, "Toy Network Playground.app", its self-test, a .dmg.
#
#   bash packaging/macos/build_macos.sh
#
# Needs Python 3.11 (python.org installer or Homebrew). Builds for the Mac's own architecture
# (Apple silicon: arm64). Writes dist/Toy Network Playground.app and
# dist/toy-network-playground-VERSION-macos-ARCH.dmg. PyInstaller signs the app ad hoc; to hand it
# to other Macs without the "unidentified developer" warning, sign and notarise it (packaging/README.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
NAME=toy-network-playground
APP_NAME="Toy Network Playground"
WORK=build/packaging
VENV=$WORK/venv

main() {
  mkdir -p "$WORK"
  rm -rf "$VENV"
  "${PYTHON:-python3.11}" -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --upgrade pip
  # PyPI's macOS torch wheels are CPU (+MPS) builds; pinned like everywhere else.
  "$VENV/bin/python" -m pip install -q "torch==2.13.0"
  "$VENV/bin/python" -c '
import tomllib
p = tomllib.load(open("pyproject.toml", "rb"))["project"]
print("\n".join(p["dependencies"] + p["optional-dependencies"]["packaging"]))' > "$WORK/requirements.txt"
  "$VENV/bin/python" -m pip install -q -r "$WORK/requirements.txt"

  rm -rf "dist/$NAME" "dist/$APP_NAME.app"
  "$VENV/bin/pyinstaller" --noconfirm --log-level WARN --distpath dist --workpath "$WORK/pyinstaller" \
    packaging/playground.spec

  # The self-test, run from inside the bundle as Finder would start it.
  QT_QPA_PLATFORM=offscreen OMP_NUM_THREADS=1 LANG=en_US.UTF-8 \
    "dist/$APP_NAME.app/Contents/MacOS/$NAME" --selftest --screenshot "$WORK/selftest.png" | tee "$WORK/selftest.log"
  grep -q "SELFTEST OK" "$WORK/selftest.log"
  [ -s "$WORK/selftest.png" ]

  # The disk image: the app beside a link to /Applications, to drag it across.
  local version arch stage dmg
  version=$("$VENV/bin/python" -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')
  arch=$(uname -m)
  stage=$WORK/dmg
  dmg="dist/$NAME-$version-macos-$arch.dmg"
  rm -rf "$stage" "$dmg"
  mkdir -p "$stage"
  cp -R "dist/$APP_NAME.app" "$stage/"
  ln -s /Applications "$stage/Applications"
  hdiutil create -volname "$APP_NAME" -srcfolder "$stage" -fs HFS+ -format UDZO -ov "$dmg"
  rm -rf "$stage"
  du -sh "dist/$APP_NAME.app" "$dmg"
}

main "$@"
exit
