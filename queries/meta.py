"""Data provenance: the data's as-of date and the batches behind the snapshot.

What a viewer sees of a batch (`batch_columns`, for every list of batches): a viewer limited to some
townships sees when each batch was loaded and of what kind (when their data was last updated), not its
file's name or row counts: a file may hold only another township's rows, and its name may name a person
(privacy probe C, F3). Any other viewer sees every column, personal numbers in the file name masked
unless they may see personal data (`queries.filters.mask_file_name`)."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from etl import clock
from etl.schema import RESTORED_AT, RESTORED_FROM
from queries.filters import Viewer, fetch, mask_file_name


def data_as_of(con: duckdb.DuckDBPyConnection) -> dt.date:
    """The as-of date computed at snapshot time (etl.derive facts_meta), else today."""
    try:
        df = fetch(con, "SELECT value FROM facts_meta WHERE key = 'as_of'")
    except duckdb.Error:
        return clock.today()
    if df.empty or df["value"].iloc[0] is None:
        return clock.today()
    return dt.date.fromisoformat(str(df["value"].iloc[0])[:10])


def restored(con: duckdb.DuckDBPyConnection) -> tuple[str, str] | None:
    """(the backup's file name, when it was restored) when the data was restored from a backup: the load
    history is then the backup's, and loads made after it and before the restore are not in it."""
    try:
        df = fetch(con, "SELECT key, value FROM meta WHERE key IN ($f, $a)", {"f": RESTORED_FROM, "a": RESTORED_AT})
    except duckdb.Error:
        return None
    values = dict(zip(df["key"], df["value"], strict=True))
    if RESTORED_FROM not in values:
        return None
    return values[RESTORED_FROM], str(values.get(RESTORED_AT, ""))[:16].replace("T", " ")


# the columns of load_batches a viewer limited to some townships sees
BATCH_PUBLIC = ("batch_id", "kind", "loaded_at")
# texts a file brings besides its rows, masked as its name is (mask_file_name): the headers of columns the
# contract does not know may hold a phone number (紧急联系人13904781234), shown in full by the load history
BATCH_FILE_TEXTS = ("file_name", "ignored_columns")
# a batch's load time to the second, as the tables show it (a download held the microseconds)
LOADED_AT = "date_trunc('second', loaded_at)"


def batch_columns(viewer: Viewer, *columns: str, **exprs: str) -> str:
    """A SELECT list over load_batches of `columns` as `viewer` may see them: only BATCH_PUBLIC ones for a
    viewer limited to some townships; `file_name` and `ignored_columns` masked (mask_file_name). `exprs`: a column's
    expression when it is not the column itself (`loaded_at="date_trunc('second', loaded_at)"`)."""
    shown = [c for c in columns if viewer.townships is None or c in BATCH_PUBLIC]
    out = []
    for c in shown:
        expr = exprs.get(c, c)
        out.append(f"{mask_file_name(expr, viewer) if c in BATCH_FILE_TEXTS else expr} AS {c}")
    return ", ".join(out)


def batches(con: duckdb.DuckDBPyConnection, viewer: Viewer) -> pd.DataFrame:
    """Every batch behind the snapshot, in load order, as `viewer` may see it (batch_columns)."""
    cols = batch_columns(viewer, "batch_id", "file_name", "kind", "loaded_at", "rows_read", "rows_loaded",
                         "rows_rejected", "rows_skipped", "issues", loaded_at=LOADED_AT)
    return fetch(con, f"SELECT {cols} FROM load_batches ORDER BY batch_id")  # noqa: S608 - our columns


def registry_rows(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row: the households in the data and the registry rows the loads rejected (what a page of a
    database without a household says: load a registry, or see why its rows were rejected)."""
    return fetch(con, """SELECT (SELECT count(*) FROM households) AS households,
        (SELECT coalesce(sum(rows_rejected), 0) FROM load_batches WHERE kind = 'registry') AS rejected""")
