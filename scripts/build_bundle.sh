#!/usr/bin/env bash
# `make bundle`: the Linux application folder and its .tar.gz.
#     scripts/build_bundle.sh PYTHON
# PYTHON has delegations and PyInstaller installed (.venv/bin/python after
# `pip install -e '.[bundle]'`). Writes:
#     dist/delegations/                                   the application folder
#     dist/delegations-VERSION-linux-ARCH.tar.gz          it, in delegations-VERSION/
# The folder holds the program `delegations`, `_internal/` (Python, Qt, the fonts,
# migrations and resources), install.sh and share/ (desktop entry, metainfo, icons).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${1:-.venv/bin/python}

version=$("$PYTHON" -c 'from importlib.metadata import version; print(version("delegations"))')
arch=$(uname -m)
app=dist/delegations
rm -rf "$app"
"$PYTHON" -m PyInstaller --noconfirm --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/linux/delegations.spec

mkdir -p "$app/share/icons"
cp packaging/linux/delegations.desktop packaging/linux/org.delegations.Delegations.metainfo.xml \
    "$app/share/"
cp resources/icons/delegations.svg resources/icons/delegations-*.png "$app/share/icons/"
install -m 755 packaging/linux/install.sh "$app/install.sh"
cp packaging/linux/README.txt "$app/README.txt"

name=delegations-$version
archive=dist/$name-linux-$arch.tar.gz
rm -f "$archive"
# Reproducible order and owners; the top folder carries the version.
tar --sort=name --owner=0 --group=0 --numeric-owner \
    --transform "s|^dist/delegations|$name|" -czf "$archive" "$app"
echo "bundle: $app ($(du -sh "$app" | cut -f1) unpacked)"
echo "bundle: $archive ($(du -h "$archive" | cut -f1))"
