"""Small DuckDB helpers the loaders share."""

from __future__ import annotations

import duckdb


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: object = None) -> object:
    """The first value of a query (None without rows). fetchall: DuckDB 2 refuses new work while a result
    is unfinished."""
    rows = con.execute(sql, params or []).fetchall()
    return rows[0][0] if rows else None


def table_columns(con: duckdb.DuckDBPyConnection, table: str, database: str | None = None) -> list[str]:
    """The columns of `table` (schema main of `database`, else of the current database), in order."""
    where = "database_name = ?" if database else "database_name = current_database()"
    return [r[0] for r in con.execute(
        f"SELECT column_name FROM duckdb_columns() WHERE {where} AND table_name = ? AND schema_name = 'main' "  # noqa: S608
        "ORDER BY column_index", [*([database] if database else []), table]).fetchall()]


def interrupted(exc: BaseException) -> bool:
    """Ctrl-C: Python's KeyboardInterrupt between statements, or DuckDB's while one runs: its client
    raises InterruptException, or (DuckDB 2.0) a plain RuntimeError "Query interrupted" while it runs a
    statement or streams a result. Callers say what stands instead of a traceback."""
    if isinstance(exc, KeyboardInterrupt | duckdb.InterruptException):
        return True
    return isinstance(exc, RuntimeError) and "interrupted" in str(exc).lower()
