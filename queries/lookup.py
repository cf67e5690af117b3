"""Rows of a few households, fetched by rowid through the snapshot's `ix_<table>` indexes
(`etl.hh_lookup`) instead of scanning 30–40M ledger rows; the scan stays the fallback."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from etl.hh_lookup import TABLES, hashes_match, index_name

INDEX_NAMES = {t: index_name(t) for t in TABLES}  # the SQL names only come from this table


@dataclass(frozen=True)
class Located:
    """Where the rows of some households are: rowids per table (`TABLES`), or nothing known (`rids`
    is None) when the snapshot has no usable index."""

    household_ids: tuple[str, ...]
    rids: dict[str, list[int]] | None = field(default=None)




def locate(con: duckdb.DuckDBPyConnection, household_ids: list[str],
           tables: Sequence[str] = TABLES) -> Located:
    """The rowids of these households' rows in `tables`, in one statement (each branch reads the one
    row group of its index that holds the hash)."""
    ids = tuple(str(h) for h in household_ids)
    if not ids or not hashes_match(con):
        return Located(ids)
    unknown = set(tables) - set(TABLES)
    if unknown:
        raise ValueError(sorted(unknown))
    sql = " UNION ALL ".join(
        f"SELECT {i} AS t, rid FROM {INDEX_NAMES[t]} WHERE hkey IN (SELECT hash(unnest($ids)))"  # noqa: S608
        for i, t in enumerate(tables))
    rids: dict[str, list[int]] = {t: [] for t in tables}
    for i, rid in con.execute(sql, {"ids": list(ids)}).fetchall():
        rids[tables[i]].append(int(rid))
    return Located(ids, rids)


def ids_clause(household_ids: Sequence[str]) -> Callable[[str], str]:
    """The test `column` is one of `$ids` (an equality for one household: DuckDB evaluates it far
    faster than a list test when it has to scan)."""
    if len(household_ids) == 1:
        return lambda column: f"{column} = $ids[1]"
    return lambda column: f"list_contains($ids, {column})"


def fetch(con: duckdb.DuckDBPyConnection, sql: str, table: str, where: Located,
          params: dict[str, object]) -> pd.DataFrame:
    """Run `sql`, whose WHERE holds `{IDS}`, for the rows of `table` (named `table` in the FROM
    clause) of the located households; `params` carries `$ids`. With rowids, `{IDS}` becomes a
    rowid test plus the household test, and the result is kept only if it has exactly the indexed
    rows; otherwise the plain scan runs. `sql` must not filter rows of `table` otherwise."""
    test = ids_clause(where.household_ids)(f"{table}.household_id")
    rids = None if where.rids is None else where.rids.get(table)
    if rids is not None:
        if not rids:  # the household has no such rows: the columns, without a scan
            return con.execute(sql.replace("{IDS}", f"FALSE AND {test}"), params).df()
        df = con.execute(sql.replace("{IDS}", f"{table}.rowid IN (SELECT unnest($rids::BIGINT[])) AND {test}"),
                         {**params, "rids": rids}).df()
        if len(df) == len(rids):
            return df
    return con.execute(sql.replace("{IDS}", test), params).df()
