#!/usr/bin/env bash
# `make bundle-check`: the packed Linux bundle works on its own.
#     scripts/bundle_check.sh [ARCHIVE]     (default: the newest dist/delegations-*.tar.gz)
# Unpacks it into a temporary folder outside the checkout and, with an empty
# environment (no PYTHONPATH, no virtualenv, a new HOME), runs the bundled program:
# --version (the package's), --help, demo, list, check, export badges, the window on
# the offscreen platform until it is shown, then install.sh and --uninstall into a
# temporary PREFIX, validating the installed desktop entry and metainfo when
# desktop-file-validate and appstreamcli are here.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
archive=${1:-$(ls -t dist/delegations-*-linux-*.tar.gz | head -1)}
archive=$(realpath "$archive")
version=$(basename "$archive" | sed -E 's/^delegations-(.*)-linux-[^-]+\.tar\.gz$/\1/')
work=$(mktemp -d /tmp/delegations-bundle-check.XXXXXX)
trap 'rm -rf "$work"' EXIT
started=$(date +%s.%N)

tar -xzf "$archive" -C "$work"
app=$work/delegations-$version
home=$work/home
mkdir -p "$home" "$work/out"
cd "$work/out"
run() {
    env -i PATH=/usr/bin:/bin HOME="$home" LANG=C.UTF-8 QT_QPA_PLATFORM=offscreen \
        DELEGATIONS_SETTINGS_DIR="$home/settings" "$@"
}
fail() { echo "bundle-check: FAILED: $*" >&2; exit 1; }
step() { echo "bundle-check: $*"; }
since() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a - b }'; }

case "$app" in "$root"/*) fail "unpacked inside the checkout" ;; esac
test -x "$app/delegations" || fail "no program $app/delegations"

got=$(run "$app/delegations" --version)
[ "$got" = "delegations $version" ] || fail "--version says '$got', the archive '$version'"
step "--version: $got"
run "$app/delegations" --help | grep -q "export" || fail "--help"
run "$app/delegations" --db visit.db demo | tee demo.txt | sed 's/^/    /'
grep -q "Demo loaded" demo.txt || fail "demo"
run "$app/delegations" --db visit.db list | tee list.txt | sed 's/^/    /'
grep -q "Barcelona" list.txt || fail "list"
run "$app/delegations" --db visit.db check barcelona >/dev/null || fail "check"
run "$app/delegations" --db visit.db export badges barcelona --out badges.pdf | sed 's/^/    /'
[ "$(head -c 5 badges.pdf)" = "%PDF-" ] || fail "export badges wrote no PDF"
step "badges.pdf: $(wc -c <badges.pdf) bytes"
test ! -e "$home/.local/share/delegations/delegations-errors.log" ||
    fail "errors logged: $(cat "$home/.local/share/delegations/delegations-errors.log")"

# The window, shown once: DELEGATIONS_STARTUP_PROBE makes it quit when first shown.
before=$(date +%s.%N)
run DELEGATIONS_STARTUP_PROBE="$work/shown" timeout 60 "$app/delegations" --db visit.db ||
    fail "the window did not open"
test -s "$work/shown" || fail "the window was never shown"
step "window shown after $(since "$(cat "$work/shown")" "$before") s"

# Installing for a user: the menu entry points at the installed program.
prefix=$work/prefix
run PREFIX="$prefix" "$app/install.sh" | sed 's/^/    /'
desktop=$prefix/share/applications/delegations.desktop
grep -q "^Exec=\"$prefix/lib/delegations/delegations\"$" "$desktop" || fail "Exec in $desktop"
test -s "$prefix/share/icons/hicolor/48x48/apps/delegations.png" || fail "icon not installed"
[ "$(run "$prefix/bin/delegations" --version)" = "delegations $version" ] || fail "installed program"
if command -v desktop-file-validate >/dev/null; then
    desktop-file-validate "$desktop" || fail "desktop-file-validate $desktop"
    step "desktop-file-validate: installed entry valid"
else
    step "desktop-file-validate: not installed here (Debian package desktop-file-utils), skipped"
fi
if command -v appstreamcli >/dev/null; then
    appstreamcli validate --no-net "$prefix"/share/metainfo/*.metainfo.xml >/dev/null ||
        fail "appstreamcli validate"
    step "appstreamcli validate: installed metainfo valid"
else
    step "appstreamcli: not installed here (Debian package appstream), skipped"
fi
run PREFIX="$prefix" "$prefix/lib/delegations/install.sh" --uninstall | sed 's/^/    /'
test ! -e "$desktop" && test ! -e "$prefix/lib/delegations" || fail "--uninstall left files"

step "unpacked: $(du -sh "$app" | cut -f1), archive: $(du -h "$archive" | cut -f1)"
step "passed in $(since "$(date +%s.%N)" "$started") s"
