"""Extract log (no Streamlit here): every download — who, when, which page, what, filter, rows.

One JSON object per line, appended to `<database dir>/extract_log.jsonl` (next to `fupin.duckdb`, never
inside a snapshot), written and read by `ui.jsonl_log` as the login log is (locked appends, so
concurrent sessions and processes never interleave lines). `FUPIN_EXTRACT_LOG` overrides the path.

- `log_path() -> Path`
- `entry(...) -> dict`: the record of one download (the time is set by `append`).
- `append(record, path=None)`: add one line (with the time of the click).
- `read(path=None, limit=200) -> DataFrame`: the newest lines first (for the data page).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from queries.filters import Filters, Viewer, to_query_params
from ui import jsonl_log

ENV_LOG = "FUPIN_EXTRACT_LOG"
FILE_NAME = "extract_log.jsonl"
COLUMNS = ["ts", "user", "display_name", "role", "scope", "pii", "page", "what", "format", "file_name",
           "filter", "rows", "snapshot"]


def log_path() -> Path:
    return jsonl_log.log_path(ENV_LOG, FILE_NAME)


def entry(*, user: str, display_name: str, role: str, viewer: Viewer, page: str, what: str, fmt: str,
          file_name: str, flt: Filters, rows: int, snapshot: str | None = None) -> dict[str, Any]:
    return {
        "user": user, "display_name": display_name, "role": role,
        "scope": list(viewer.townships) if viewer.townships is not None else None,
        "pii": bool(viewer.pii), "page": page, "what": what, "format": fmt, "file_name": file_name,
        "filter": to_query_params(flt), "rows": int(rows), "snapshot": snapshot,
    }


def append(record: Mapping[str, Any], path: Path | None = None) -> dict[str, Any]:
    """Append one line (adds `ts`, the local time of the click) under an exclusive lock."""
    return jsonl_log.append(path or log_path(), record)


def read(path: Path | None = None, limit: int = 200) -> pd.DataFrame:
    """The last `limit` entries, newest first (unreadable lines skipped)."""
    return jsonl_log.read(path or log_path(), COLUMNS, limit)
