"""Writing one derived table for a scope: the whole table on a rebuild, or for a load only the rows of
the households (owners) it touched; and the as-of date the derived tables were built for.

Its own module so that every builder (etl.derive, derive_cells, derive_inspection, quality_checks,
visit_rank) and etl.history use it without importing etl.derive, which imports them all."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import duckdb

from etl.owners import Touched
from etl.scope import Scope

# Tables a page reads in their stored order without sorting (queries.paging, stored_table): an
# incremental update appends, so it records them as unsorted (`meta`) and the pages sort them again.
ORDER_SENSITIVE = ("hh_facts",)


def replace(con: duckdb.DuckDBPyConnection, scope: Scope, touched: Touched | None, table: str,
            selects: str | Sequence[str], order: str = "", params: dict[str, object] | None = None) -> None:
    """Write `table`'s rows of `scope`: the whole table, stored in `order` (each select sorted on its own),
    or, for a load, the touched owners' rows deleted and selected again (appended)."""
    selects = [selects] if isinstance(selects, str) else list(selects)
    sort = f" ORDER BY {order}" if order else ""
    if scope.full:
        con.execute(f"CREATE OR REPLACE TABLE {table} AS {selects[0]}{sort}", params or {})
        for sql in selects[1:]:
            con.execute(f"INSERT INTO {table} {sql}{sort}", params or {})
        return
    assert touched is not None
    where = scope.rows(table, touched.all_tables)
    if where is None:
        return
    con.execute(f"DELETE FROM {table} WHERE {where}")  # noqa: S608 - ours
    copy = scope.src(table)  # the rows written, for the later builders of the pass and the changeset
    con.execute(f"CREATE OR REPLACE TABLE {copy} AS {selects[0]}", params or {})
    for sql in selects[1:]:
        con.execute(f"INSERT INTO {copy} BY NAME {sql}", params or {})
    con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {copy}")  # noqa: S608 - ours
    if table in ORDER_SENSITIVE:
        con.execute("DELETE FROM meta WHERE key = ?", [f"unsorted:{table}"])
        con.execute("INSERT INTO meta VALUES (?, 'true')", [f"unsorted:{table}"])
        touched.table("meta")


def as_of(con: duckdb.DuckDBPyConnection) -> date | None:
    """The as-of date stored in facts_meta (None before the first build)."""
    try:
        rows = con.execute("SELECT CAST(value AS DATE) FROM facts_meta WHERE key = 'as_of'").fetchall()
    except duckdb.CatalogException:
        return None
    return rows[0][0] if rows else None
