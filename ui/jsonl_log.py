"""Append-only JSON-lines logs beside the database (no Streamlit here): the extract log
(ui.extract_log) and the login log (ui.login_log) are written and read back by this one module.

A log is `<database dir>/<file name>` (next to `fupin.duckdb`, never inside a snapshot: snapshots are
immutable and replaced by every load), or the path its environment variable names. One JSON object per
line; an append takes an exclusive `flock` and is fsynced, so concurrent sessions and processes never
interleave lines; a read takes a shared lock and skips lines that do not parse.

- `log_path(env, file_name) -> Path`
- `append(path, record) -> dict`: one line, with `ts` (the county's local time with offset, etl.clock) first.
- `shown_time(ts) -> str`: a `ts` as pages show times, the county's wall clock to the second.
- `read(path, columns, limit=200) -> DataFrame`: the newest lines first.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from etl import clock
from etl.snapshot import db_path


def log_path(env: str, file_name: str) -> Path:
    """$env when set, else `file_name` in the database's directory."""
    raw = os.environ.get(env)
    return Path(raw).expanduser().absolute() if raw else db_path().parent / file_name


def append(path: Path, record: Mapping[str, Any]) -> dict[str, Any]:
    """Append one line (adds `ts`, the county's local time with offset: the server's own zone, often UTC,
    put downloads before the load they followed) under an exclusive lock."""
    line = {"ts": dt.datetime.now(clock.zone()).isoformat(timespec="seconds"), **record}
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


def read(path: Path, columns: Sequence[str], limit: int = 200) -> pd.DataFrame:
    """The last `limit` entries, newest first (unreadable lines skipped), with these columns."""
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
    return pd.DataFrame(rows, columns=list(columns)) if rows else pd.DataFrame(columns=list(columns))


def shown_time(ts: object) -> str:
    """A logged `ts` as the pages show times: the county's wall clock, `2026-12-05 17:50:39` (a line written
    with another offset is converted); anything unreadable as it is."""
    try:
        moment = dt.datetime.fromisoformat(str(ts))
    except ValueError:
        return str(ts)
    if moment.tzinfo is not None:
        moment = moment.astimezone(clock.zone())
    return moment.strftime("%Y-%m-%d %H:%M:%S")
