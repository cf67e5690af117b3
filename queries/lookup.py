"""Rows of a few households, fetched by rowid through the snapshot's `ix_<table>` indexes
(`etl.hh_lookup`) instead of scanning 30–40M ledger rows; the scan stays the fallback."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import duckdb
import pandas as pd

from etl.hh_lookup import PROBE, TABLES, index_name


def usable(con: duckdb.DuckDBPyConnection) -> bool:
    """The indexes exist and were hashed the way this DuckDB hashes."""
    try:
        row = con.execute("SELECT count(*) FROM facts_meta WHERE key = 'hash_probe' "
                          "AND value = CAST(hash($probe) AS VARCHAR)", {"probe": PROBE}).fetchone()
    except duckdb.CatalogException:
        return False
    return bool(row and row[0])


def row_ids(con: duckdb.DuckDBPyConnection, table: str, household_ids: list[str]) -> list[int]:
    """The rowids of `table`'s rows of these households (call `usable` first)."""
    if table not in TABLES:
        raise ValueError(table)
    rows = con.execute(f"SELECT rid FROM {index_name(table)} WHERE hkey IN (SELECT hash(unnest($ids)))",  # noqa: S608
                       {"ids": list(household_ids)}).fetchall()
    return [int(r[0]) for r in rows]


def ids_clause(household_ids: Sequence[str]) -> Callable[[str], str]:
    """The test `column` is one of `$ids` (an equality for one household: DuckDB evaluates it far
    faster than a list test when it has to scan)."""
    if len(household_ids) == 1:
        return lambda column: f"{column} = $ids[1]"
    return lambda column: f"list_contains($ids, {column})"


def fetch(con: duckdb.DuckDBPyConnection, sql: str, table: str, household_ids: Sequence[str],
          params: dict[str, object], *, indexed: bool,
          ids_clause: Callable[[str], str]) -> pd.DataFrame:
    """Run `sql`, whose WHERE holds `{IDS}`, for the rows of `table` (aliased or named `table` in the
    FROM clause) of these households. With `indexed`, `{IDS}` becomes a rowid test plus the household
    test, and the result is kept only if it has exactly the indexed rows (else the plain scan runs);
    `ids_clause(column)` gives the household test. `sql` must not filter rows of `table` otherwise."""
    column = f"{table}.household_id"
    if indexed:
        rids = row_ids(con, table, list(household_ids))
        df = con.execute(sql.replace("{IDS}", f"{table}.rowid IN (SELECT unnest($rids::BIGINT[])) "
                                             f"AND {ids_clause(column)}"), {**params, "rids": rids}).df()
        if len(df) == len(rids):
            return df
    return con.execute(sql.replace("{IDS}", ids_clause(column)), params).df()
