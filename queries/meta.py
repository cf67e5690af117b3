"""Data provenance: the data's as-of date and the batches behind the snapshot."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from etl import clock
from queries.filters import fetch


def data_as_of(con: duckdb.DuckDBPyConnection) -> dt.date:
    """The as-of date computed at snapshot time (etl.derive facts_meta), else today."""
    try:
        df = fetch(con, "SELECT value FROM facts_meta WHERE key = 'as_of'")
    except duckdb.Error:
        return clock.today()
    if df.empty or df["value"].iloc[0] is None:
        return clock.today()
    return dt.date.fromisoformat(str(df["value"].iloc[0])[:10])


def batches(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return fetch(
        con,
        """SELECT batch_id, file_name, kind, loaded_at, rows_read, rows_loaded, rows_rejected, rows_skipped,
                  issues
           FROM load_batches ORDER BY batch_id""",
    )
