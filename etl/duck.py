"""Small DuckDB helpers the loaders share."""

from __future__ import annotations

import duckdb


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: object = None) -> object:
    """The first value of a query (None without rows). fetchall: DuckDB 2 refuses new work while a result
    is unfinished."""
    rows = con.execute(sql, params or []).fetchall()
    return rows[0][0] if rows else None
