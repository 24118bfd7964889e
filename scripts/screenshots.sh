#!/usr/bin/env bash
# Screenshots of the main screens, taken on a virtual screen from the demo database.
#
#   scripts/screenshots.sh [OUT_DIR]      (default: docs/screenshots)
#
# Each screen is reached with DELEGATIONS_START_PAGE (see src/delegations/ui/app.py);
# settings go to a temporary folder so that your own window sizes are not used.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/docs/screenshots}
tool=${SCREENSHOT_APP:-$root/../shared/tools/screenshot-app}
size=${SCREENSHOT_SIZE:-1280x820}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"
db="$tmp/demo.db"
"$root/.venv/bin/delegations" --db "$db" demo >/dev/null
# The Packs tab shows what changed since the last pack: write one, then change the plan.
"$root/.venv/bin/delegations" --db "$db" pack 1 --out "$tmp/packs" --quiet >/dev/null
"$root/.venv/bin/python" - "$db" <<'PY'
import sys
from datetime import timedelta
from pathlib import Path

from delegations.services import operations as ops
from delegations.services import queries
from delegations.services.history import perform
from delegations.store import Database

db = Database.open(Path(sys.argv[1]))
with db.session() as session:
    visit = queries.load_delegation(session, 1)
moved = next(i for i in visit.items if i.everyone and i.venue is not None)
later = timedelta(minutes=30)
perform(db, ops.move_item(moved.id, moved.starts_at + later, moved.ends_at + later))
gone = next(i for i in visit.items if not i.everyone and i.participants)
perform(db, ops.delete_items([gone.id]))
PY
for page in delegations overview attendees agenda exports:badges packs people; do
  rm -rf "$tmp/settings"
  DELEGATIONS_SETTINGS_DIR="$tmp/settings" DELEGATIONS_START_PAGE=$page \
    "$tool" "$out/${page%%:*}.png" --wait 4 --size "$size" -- "$root/.venv/bin/delegations" --db "$db"
  # Keep the PNGs small: 256 colours are plenty for a flat user interface.
  if command -v convert >/dev/null; then
    convert "$out/${page%%:*}.png" -colors 256 -define png:compression-level=9 "$out/${page%%:*}.png"
  fi
done
# Dialogs reached by their keys: Privacy ▸ Audit log (Ctrl+Shift+L) and File ▸ Restore
# from backup (Alt+F, S); the demo database has its day's backup by now.
for shot in "audit:ctrl+shift+l" "restore:alt+f s"; do
  rm -rf "$tmp/settings"
  DELEGATIONS_SETTINGS_DIR="$tmp/settings" \
    "$tool" "$out/${shot%%:*}.png" --wm --wait 4 --size "$size" --keys "${shot#*:}" -- \
    "$root/.venv/bin/delegations" --db "$db"
  if command -v convert >/dev/null; then
    convert "$out/${shot%%:*}.png" -colors 256 -define png:compression-level=9 "$out/${shot%%:*}.png"
  fi
done
ls -l "$out"
