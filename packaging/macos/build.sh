#!/usr/bin/env bash
# macOS release: Delegations.app (PyInstaller), then a .dmg to drag it to Applications.
#     packaging/macos/build.sh
# Needs Python 3.11+ (python.org's universal2 build or Homebrew's) and the Xcode
# command-line tools (hdiutil, codesign). Writes dist/Delegations.app and
# dist/delegations-VERSION-macos-ARCH.dmg. Signing and notarising need a Developer ID:
# set CODESIGN_IDENTITY to sign (then notarise with `xcrun notarytool submit`).
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -d .venv ] || python3 -m venv .venv
.venv/bin/python -m pip install -q -e '.[bundle]'
version=$(.venv/bin/python -c 'from importlib.metadata import version; print(version("delegations"))')
.venv/bin/python -m PyInstaller --noconfirm --distpath dist --workpath build/pyinstaller \
    packaging/macos/delegations.spec
dist/Delegations.app/Contents/MacOS/delegations --version
if [ -n "${CODESIGN_IDENTITY:-}" ]; then
    codesign --force --deep --options runtime --timestamp --sign "$CODESIGN_IDENTITY" \
        dist/Delegations.app
fi
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp -R dist/Delegations.app "$stage/"
ln -s /Applications "$stage/Applications"
dmg=dist/delegations-$version-macos-$(uname -m).dmg
rm -f "$dmg"
hdiutil create -volname "Delegations $version" -srcfolder "$stage" -fs HFS+ -format UDZO "$dmg"
echo "$dmg"
