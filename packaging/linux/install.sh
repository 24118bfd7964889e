#!/bin/sh
# Install Delegations for the current user, from the unpacked bundle this script is in:
#     ./install.sh               # into ~/.local: the menu entry, the icon, `delegations`
#     ./install.sh --uninstall   # removes what it installed (never your databases)
# PREFIX (default ~/.local) chooses another place, e.g. PREFIX=/usr/local as root.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
PREFIX=${PREFIX:-$HOME/.local}
APPDIR=$PREFIX/lib/delegations
BINDIR=$PREFIX/bin
SHARE=$PREFIX/share
DESKTOP=$SHARE/applications/delegations.desktop
METAINFO=$SHARE/metainfo/org.delegations.Delegations.metainfo.xml
SIZES="16 24 32 48 64 128 256 512"

refresh() {
    command -v update-desktop-database >/dev/null 2>&1 &&
        update-desktop-database -q "$SHARE/applications" 2>/dev/null || true
    command -v gtk-update-icon-cache >/dev/null 2>&1 &&
        gtk-update-icon-cache -q -t "$SHARE/icons/hicolor" 2>/dev/null || true
}

if [ "${1:-}" = "--uninstall" ]; then
    rm -rf "$APPDIR"
    rm -f "$BINDIR/delegations" "$DESKTOP" "$METAINFO" \
        "$SHARE/icons/hicolor/scalable/apps/delegations.svg"
    for size in $SIZES; do
        rm -f "$SHARE/icons/hicolor/${size}x${size}/apps/delegations.png"
    done
    refresh
    echo "Delegations removed from $PREFIX (your databases are left where they are)."
    exit 0
fi
if [ "$#" -gt 0 ]; then
    echo "usage: $0 [--uninstall]" >&2
    exit 2
fi

# The application folder, replaced whole (an earlier version's files go).
if [ "$HERE" != "$APPDIR" ]; then
    rm -rf "$APPDIR.new"
    mkdir -p "$PREFIX/lib"
    cp -R "$HERE" "$APPDIR.new"
    rm -rf "$APPDIR"
    mv "$APPDIR.new" "$APPDIR"
fi
mkdir -p "$BINDIR"
ln -sf "$APPDIR/delegations" "$BINDIR/delegations"

# The menu entry starts the program by its full path: ~/.local/bin is not always on
# the desktop session's PATH.
mkdir -p "$SHARE/applications" "$SHARE/metainfo"
sed "s|^Exec=.*|Exec=\"$APPDIR/delegations\"|" "$HERE/share/delegations.desktop" >"$DESKTOP"
chmod 644 "$DESKTOP"
install -m 644 "$HERE/share/org.delegations.Delegations.metainfo.xml" "$METAINFO"
install -D -m 644 "$HERE/share/icons/delegations.svg" \
    "$SHARE/icons/hicolor/scalable/apps/delegations.svg"
for size in $SIZES; do
    install -D -m 644 "$HERE/share/icons/delegations-$size.png" \
        "$SHARE/icons/hicolor/${size}x${size}/apps/delegations.png"
done
refresh
echo "Delegations $("$APPDIR/delegations" --version | cut -d' ' -f2) installed in $APPDIR."
echo "Start it from your desktop's menu (Office), or run: $BINDIR/delegations"
