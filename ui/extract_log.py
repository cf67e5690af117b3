"""Extract log (no Streamlit here): every download — who, when, which page, what, filter, rows.

One JSON object per line, appended to `<database dir>/extract_log.jsonl` (next to `fupin.duckdb`, never
inside a snapshot: snapshots are immutable and replaced by every load). Appends take an exclusive
`flock`, so concurrent sessions and processes never interleave lines. `FUPIN_EXTRACT_LOG` overrides
the path.

- `log_path() -> Path`
- `entry(...) -> dict`: the record of one download (the time is set by `append`).
- `append(record, path=None)`: add one line (with the time of the click).
- `read(path=None, limit=200) -> DataFrame`: the newest lines first (for the data page).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from etl.snapshot import db_path
from queries.filters import Filters, Viewer, to_query_params

ENV_LOG = "FUPIN_EXTRACT_LOG"
FILE_NAME = "extract_log.jsonl"
COLUMNS = ["ts", "user", "display_name", "role", "scope", "pii", "page", "what", "format", "file_name",
           "filter", "rows", "snapshot"]


def log_path() -> Path:
    raw = os.environ.get(ENV_LOG)
    return Path(raw).expanduser().absolute() if raw else db_path().parent / FILE_NAME


def entry(*, user: str, display_name: str, role: str, viewer: Viewer, page: str, what: str, fmt: str,
          file_name: str, flt: Filters, rows: int, snapshot: str | None = None) -> dict[str, Any]:
    return {
        "user": user, "display_name": display_name, "role": role,
        "scope": list(viewer.townships) if viewer.townships is not None else None,
        "pii": bool(viewer.pii), "page": page, "what": what, "format": fmt, "file_name": file_name,
        "filter": to_query_params(flt), "rows": int(rows), "snapshot": snapshot,
    }


def append(record: Mapping[str, Any], path: Path | None = None) -> dict[str, Any]:
    """Append one line (adds `ts`, the local time with offset) under an exclusive lock."""
    path = path or log_path()
    line = {"ts": dt.datetime.now().astimezone().isoformat(timespec="seconds"), **record}
    data = (json.dumps(line, ensure_ascii=False, default=str) + "\n").encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
    return line


def read(path: Path | None = None, limit: int = 200) -> pd.DataFrame:
    """The last `limit` entries, newest first (unreadable lines skipped)."""
    path = path or log_path()
    rows: list[dict[str, Any]] = []
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            fcntl.flock(f.fileno(), fcntl.LOCK_SH)
            lines = f.readlines()
    except FileNotFoundError:
        lines = []
    for raw in reversed(lines):
        try:
            obj = json.loads(raw)
        except ValueError:
            continue
        if isinstance(obj, dict):
            rows.append(obj)
        if len(rows) >= limit:
            break
    return pd.DataFrame(rows, columns=COLUMNS) if rows else pd.DataFrame(columns=COLUMNS)
