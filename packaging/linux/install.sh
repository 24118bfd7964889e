#!/bin/sh
# Install Delegations for the current user, from the unpacked bundle this script is in:
#     ./install.sh               # into ~/.local: the menu entry, the icon, `delegations`
#     ./install.sh --uninstall   # removes what it installed (never your databases)
# PREFIX (default ~/.local) chooses another place, e.g. PREFIX=/usr/local as root.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
PREFIX=${PREFIX:-$HOME/.local}
case $PREFIX in
    /*) ;;
    *) PREFIX=$(pwd)/$PREFIX ;; # the menu entry and the link need a full path
esac
APPDIR=$PREFIX/lib/delegations
BINDIR=$PREFIX/bin
LINK=$BINDIR/delegations
SHARE=$PREFIX/share
ICONS=$SHARE/icons/hicolor
DESKTOP=$SHARE/applications/delegations.desktop
METAINFO=$SHARE/metainfo/org.delegations.Delegations.metainfo.xml
MARK="X-Delegations-Installer=install.sh"
SIZES="16 24 32 48 64 128 256 512"

# Whether a Delegations started from $APPDIR is running: replacing its files under it
# would stop it at its next step (an export, a dialog), losing what it was doing.
running() {
    real=$(cd "$APPDIR" 2>/dev/null && pwd -P) || return 1
    for proc in /proc/[0-9]*; do
        case $(readlink "$proc/exe" 2>/dev/null || true) in
            "$real"/*) return 0 ;;
        esac
    done
    return 1
}

# Whether $LINK is the link this script made (a pipx or hand-made one is the user's).
ours() {
    [ -L "$LINK" ] && [ "$(readlink "$LINK")" = "$APPDIR/delegations" ]
}

# Caches only where the desktop already keeps them: a new cache in the user's folders
# would outlive the uninstall and could hide other programs' icons.
refresh() {
    if [ -f "$SHARE/applications/mimeinfo.cache" ] && command -v update-desktop-database >/dev/null 2>&1; then
        update-desktop-database -q "$SHARE/applications" 2>/dev/null || true
    fi
    if [ -f "$ICONS/icon-theme.cache" ] && command -v gtk-update-icon-cache >/dev/null 2>&1; then
        gtk-update-icon-cache -q "$ICONS" 2>/dev/null || true
    fi
}

if [ "${1:-}" = "--uninstall" ]; then
    if running; then
        echo "Delegations is running from $APPDIR: close it, then run $0 --uninstall again." >&2
        exit 1
    fi
    rm -rf "$APPDIR"
    if ours; then rm -f "$LINK"; fi
    if [ -f "$DESKTOP" ] && grep -qx "$MARK" "$DESKTOP"; then rm -f "$DESKTOP"; fi
    rm -f "$METAINFO" "$ICONS/scalable/apps/delegations.svg"
    for size in $SIZES; do
        rm -f "$ICONS/${size}x${size}/apps/delegations.png"
    done
    # The folders this script may have made, when nothing else is in them.
    for dir in "$ICONS"/*/apps "$ICONS"/*x* "$ICONS/scalable" "$ICONS" "$SHARE/icons" \
        "$SHARE/metainfo" "$SHARE/applications" "$PREFIX/lib" "$BINDIR"; do
        [ -d "$dir" ] && rmdir "$dir" 2>/dev/null || true
    done
    refresh
    echo "Delegations removed from $PREFIX. Your databases (and their backups) and your"
    echo "settings (~/.config/Delegations) are left where they are."
    exit 0
fi
if [ "$#" -gt 0 ]; then
    echo "usage: $0 [--uninstall]" >&2
    exit 2
fi

# The application folder, replaced whole (an earlier version's files go).
if [ "$HERE" != "$APPDIR" ]; then
    if running; then
        echo "Delegations is running from $APPDIR: close it, then run $0 again." >&2
        exit 1
    fi
    rm -rf "$APPDIR.new"
    mkdir -p "$PREFIX/lib"
    cp -R "$HERE" "$APPDIR.new"
    rm -rf "$APPDIR"
    mv "$APPDIR.new" "$APPDIR"
fi
mkdir -p "$BINDIR"
if [ -e "$LINK" ] || [ -L "$LINK" ]; then
    if ours; then
        :
    else
        echo "Note: $LINK is another installation's (pipx?); it was left as it is." >&2
        echo "      This one runs as $APPDIR/delegations." >&2
    fi
else
    ln -s "$APPDIR/delegations" "$LINK"
fi

# The menu entry starts the program by its full path (~/.local/bin is not always on the
# desktop session's PATH), quoted and escaped as the Desktop Entry specification says:
# inside the quotes \ " ` $ take a backslash, itself doubled by the string escapes,
# and % is doubled.
EXEC=$(printf '%s' "$APPDIR/delegations" |
    sed -e 's/\\/\\\\\\\\/g' -e 's/"/\\\\"/g' -e 's/`/\\\\`/g' -e 's/\$/\\\\$/g' -e 's/%/%%/g')
mkdir -p "$SHARE/applications" "$SHARE/metainfo"
EXEC_LINE="Exec=\"$EXEC\"" MARK="$MARK" awk '
    /^Exec=/ { print ENVIRON["EXEC_LINE"]; next }
    { print }
    END { print ENVIRON["MARK"] }
' "$HERE/share/delegations.desktop" >"$DESKTOP"
chmod 644 "$DESKTOP"
install -m 644 "$HERE/share/org.delegations.Delegations.metainfo.xml" "$METAINFO"
install -D -m 644 "$HERE/share/icons/delegations.svg" "$ICONS/scalable/apps/delegations.svg"
for size in $SIZES; do
    install -D -m 644 "$HERE/share/icons/delegations-$size.png" \
        "$ICONS/${size}x${size}/apps/delegations.png"
done
refresh
echo "Delegations $("$APPDIR/delegations" --version | cut -d' ' -f2) installed in $APPDIR."
echo "Start it from your desktop's menu (Office), or run: $APPDIR/delegations"
