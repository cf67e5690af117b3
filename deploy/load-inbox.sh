#!/usr/bin/env bash
# Load every file in INBOX with the CLI (`python -m etl load`), one file at a time in name order, and
# move it to INBOX/done/ (read, even with rejected rows: exit 0) or INBOX/failed/ (could not be read:
# exit 1), with the load's JSON report beside it. Run by fupin-load.service; FUPIN_DB names the database.
set -uo pipefail
INBOX=${1:?usage: load-inbox.sh INBOX}
HERE=$(cd "$(dirname "$0")/.." && pwd)
PY=${FUPIN_PYTHON:-$HERE/.venv/bin/python}
mkdir -p "$INBOX/done" "$INBOX/failed"
status=0
shopt -s nullglob
for f in "$INBOX"/*; do
  [ -f "$f" ] || continue
  name=$(basename "$f")
  if (cd "$HERE" && "$PY" -m etl load "$f" --json) > "$INBOX/.report.json"; then
    mv "$f" "$INBOX/done/$name" && mv "$INBOX/.report.json" "$INBOX/done/$name.json"
  else
    rc=$?
    mv "$f" "$INBOX/failed/$name" && mv "$INBOX/.report.json" "$INBOX/failed/$name.json"
    [ "$rc" -ge 2 ] && status=$rc
  fi
done
exit $status
