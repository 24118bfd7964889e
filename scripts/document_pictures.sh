#!/usr/bin/env bash
# Pictures of each document's first page, for the README, from the demo and the large
# made-up visit (40 attendees, 120 items: `delegations demo --large`).
#
#   scripts/document_pictures.sh [OUT_DIR]     (default: docs/screenshots/documents)
#
# Needs pdftoppm (Debian: poppler-utils). The PDFs are kept in OUT_DIR/pdf/ while the
# script runs and removed at the end; pass KEEP_PDFS=1 to keep them.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/docs/screenshots/documents}
cli="$root/.venv/bin/delegations"
command -v pdftoppm >/dev/null || { echo "document_pictures: needs pdftoppm (poppler-utils)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"
db="$tmp/visits.db"
"$cli" --db "$db" demo >/dev/null
"$cli" --db "$db" demo --large >/dev/null
demo="Creative clusters" large="Creative industries B2B"
stamp=(--zone Europe/Paris)
export_one() {  # NAME VISIT KIND [OPTIONS...]
  local name=$1 visit=$2 kind=$3; shift 3
  "$cli" --db "$db" export "$kind" "$visit" --out "$tmp/$name.pdf" "${stamp[@]}" "$@" >/dev/null
  pdftoppm -png -r 60 -f 1 -l 1 -singlefile "$tmp/$name.pdf" "$out/$name"
  if command -v convert >/dev/null; then
    convert "$out/$name.png" -colors 256 -define png:compression-level=9 "$out/$name.png"
  fi
}
export_one itinerary "$demo" itinerary
export_one itinerary-personal "$demo" itinerary --attendee "Julien Caron"
export_one programme "$demo" programme
export_one programme-large "$large" programme
export_one badges "$demo" badges --qr
export_one badges-large "$large" badges --qr
export_one attendance "$demo" attendance
export_one attendance-day "$demo" attendance --per day
export_one rooming "$demo" rooming
export_one dietary "$demo" dietary
export_one passengers "$demo" passengers
ls -l "$out"
