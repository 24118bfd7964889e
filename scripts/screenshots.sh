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
for page in delegations overview attendees agenda exports:badges people; do
  rm -rf "$tmp/settings"
  DELEGATIONS_SETTINGS_DIR="$tmp/settings" DELEGATIONS_START_PAGE=$page \
    "$tool" "$out/${page%%:*}.png" --wait 4 --size "$size" -- "$root/.venv/bin/delegations" --db "$db"
  # Keep the PNGs small: 256 colours are plenty for a flat user interface.
  if command -v convert >/dev/null; then
    convert "$out/${page%%:*}.png" -colors 256 -define png:compression-level=9 "$out/${page%%:*}.png"
  fi
done
ls -l "$out"
