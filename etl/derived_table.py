"""Writing one derived table for a scope: the whole table on a rebuild, or for a load only the rows of
the households (owners) it touched; and the as-of date the derived tables were built for.

Its own module so that every builder (etl.derive, derive_cells, derive_inspection, quality_checks,
visit_rank) and etl.history use it without importing etl.derive, which imports them all."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

import duckdb

from etl.filter_spec import FILTERS
from etl.owners import AGED_TABLES, OWNERS, Touched, delete_rows, stage_table
from etl.raw_file import STAGE_SCHEMA
from etl.scope import Scope

# Tables a page reads in their stored order without sorting (queries.paging, stored_table): an
# incremental update appends, so it records them as unsorted (`meta`) and the pages sort them again.
ORDER_SENSITIVE = ("hh_facts",)
# Per-household tables the summary cells are computed from: a delta pass keeps the rows it deletes
# (`Scope.old_src`), the touched households' side of the cells before the load, without the identity
# texts no summary reads (scattered rows: decompressing those texts was most of the copy at 10M).
OLD_KEPT = {
    "hh_facts": " EXCLUDE (household_id, head_name, head_id_number, phone, helper_name)",
    "list_ill_member": " EXCLUDE (household_id, name, id_number, member_key)",
}
# The summary cells (owned by `cell`): the columns they are grouped by besides the filter columns and
# `cell`, and the count that is 0 exactly when a group has no row left. Every other column is a sum,
# so a cell changes by (its touched households' rows after the load) - (their rows before it).
CELL_GROUPS: dict[str, tuple[tuple[str, ...], str]] = {
    "agg_household": ((), "households"),
    "agg_category": (("category",), "households"),
    "agg_measure": (("year", "category"), "households"),
    "agg_project": (("project",), "households"),
    "agg_project_category": (("project", "category"), "measures"),
    "agg_member_value": (("dimension", "value"), "members"),
    "agg_quality": (("area",), "households"),
    "agg_quality_dated": (("kind", "area", "d", "hk"), "n"),  # its cell part: kind 0 (income years)
    "agg_cooccurrence": (("other_cause",), "households"),
    "agg_income_band": (("band",), "households"),
    "agg_income_ratio": (("ratio_bin",), "households"),
    "agg_monitoring": (("kind", "risk"), "households"),
    "agg_ill_member": (("compliant_until",), "members"),
}


def replace(con: duckdb.DuckDBPyConnection, scope: Scope, touched: Touched | None, table: str,
            selects: str | Sequence[str], order: str = "", params: dict[str, object] | None = None,
            old_kept: bool = False) -> None:
    """Write `table`'s rows of `scope`: the whole table, stored in `order` (each select sorted on its own),
    or, for a load, the touched owners' rows deleted and selected again (appended). `old_kept`: the
    caller kept the rows before the pass already (`keep_old`), as a patching builder must before it
    reads them."""
    selects = [selects] if isinstance(selects, str) else list(selects)
    sort = f" ORDER BY {order}" if order else ""
    if scope.full:
        con.execute(f"CREATE OR REPLACE TABLE {table} AS {selects[0]}{sort}", params or {})
        for sql in selects[1:]:
            con.execute(f"INSERT INTO {table} {sql}{sort}", params or {})
        return
    assert touched is not None
    where = scope.rows(table, touched.all_tables)
    if where is None or not touched.needs(table):
        return
    if scope.delta and table in OLD_KEPT and not old_kept:
        keep_old(con, scope, touched, table)
    delete_rows(con, table, where)
    copy = scope.src(table)  # the rows written, for the later builders of the pass and the changeset
    con.execute(f"CREATE OR REPLACE TABLE {copy} AS {selects[0]}", params or {})
    for sql in selects[1:]:
        con.execute(f"INSERT INTO {copy} BY NAME {sql}", params or {})
    con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {copy}")  # noqa: S608 - ours
    if table in ORDER_SENSITIVE:
        con.execute("DELETE FROM meta WHERE key = ?", [f"unsorted:{table}"])
        con.execute("INSERT INTO meta VALUES (?, 'true')", [f"unsorted:{table}"])
        touched.table("meta")


def keep_old(con: duckdb.DuckDBPyConnection, scope: Scope, touched: Touched, table: str) -> None:
    """`scope.old_src(table)`: the scope's rows of `table` before the pass deletes them (a patching pass,
    `Scope.patch`, keeps the identity texts too: its rows are made from these). A table the age pass
    rewrites too (hh_facts) is read once for both passes' households, by the load's pass: the age pass's
    households are not the load's, so their rows are still as they were (a scattered read of hh_facts
    costs ~0.2 s at 10M households, whether for 1,000 households or 2,000)."""
    where = scope.rows(table, touched.all_tables)
    unread = "" if scope.patch else OLD_KEPT[table]
    both = f"{STAGE_SCHEMA}._old_both_{table}"
    shared = table in AGED_TABLES and touched.count("hk", "_aged") > 0  # the load's pass runs first
    if shared and scope.suffix == "":
        con.execute(f"CREATE OR REPLACE TABLE {both} AS SELECT *{unread} FROM {table} "  # noqa: S608
                    f"WHERE hk IN (SELECT hk FROM {stage_table('hk')} UNION ALL SELECT hk FROM {stage_table('hk', '_aged')})")
    origin, columns = (both, "*") if shared else (table, f"*{unread}")
    con.execute(f"CREATE OR REPLACE TABLE {scope.old_src(table)} AS "  # noqa: S608 - our names
                f"SELECT {columns} FROM {origin} WHERE {where}")


# A sum that is no figure (NULL) when none of its rows has a value, and the count of rows that have one:
# by difference, a cell whose last priced measure moved out summed to 0 元 where a rebuild has none.
COUNTED_SUMS = {"amount_yuan": "measures_priced"}


def _merged_sum(column: str, types: dict[str, str]) -> str:
    """A summary column's merge in a delta pass (`replace_cells`): the sum of the stored, removed and
    added rows; NULL for a `COUNTED_SUMS` column whose count sums to 0."""
    total = (f"CAST(round(sum({column}), 6) + 0.0 AS DOUBLE)" if types[column] == "DOUBLE"
             else f"CAST(sum({column}) AS {types[column]})")
    count = COUNTED_SUMS.get(column)
    if count in types:
        total = f"CASE WHEN sum({count}) > 0 THEN {total} END"
    return f"{total} AS {column}"


def replace_cells(con: duckdb.DuckDBPyConnection, scope: Scope, touched: Touched | None, table: str,
                  cell_sql: Callable[[Scope], str], order: str = "", others: Sequence[str] = (),
                  params: dict[str, object] | None = None) -> None:
    """Write a summary table's rows of `scope`: `cell_sql(scope)` selects its cell-owned rows, `others`
    its other rows (agg_quality_dated's per-household part). A full build or an ordinary pass writes
    them as `replace` does. A delta pass (`Scope.delta`) reads only the touched households: the rows
    of the touched cells become the stored rows plus `cell_sql` over the households' rows after the
    load minus `cell_sql` over their rows before it, so a load's cost does not grow with the cells'
    other households (at 10M households a cell holds ~10x the households it does at 1M)."""
    if not scope.delta:
        replace(con, scope, touched, table, [cell_sql(scope), *others], order, params)
        return
    assert touched is not None
    where = scope.rows(table, touched.all_tables)
    if where is None or not touched.needs(table):
        return
    dims, count = CELL_GROUPS[table]
    part = next(p.where for p in OWNERS[table] if p.kind == "cell")
    types = dict(con.execute("SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ? "
                             "AND schema_name = 'main' AND database_name = current_database() "
                             "ORDER BY column_index", [table]).fetchall())
    groups = [c for c in types if c in (*(f.column for f in FILTERS), "cell", *dims)]
    sums = [c for c in types if c not in groups]
    # a DOUBLE sum is rounded (to a millionth of a yuan) so that what cancels reads 0, not -1e-12
    merged = ", ".join(_merged_sum(c, types) for c in sums)
    negated = ", ".join([*groups, *(f"-{c} AS {c}" for c in sums)])
    cols = ", ".join([*groups, *sums])
    copy = scope.src(table)
    con.execute(f"""CREATE OR REPLACE TABLE {copy} AS
        SELECT {", ".join(groups)}, {merged} FROM (
            SELECT {cols} FROM {table} WHERE ({part}) AND {scope.cell(table)}
            UNION ALL SELECT {negated} FROM ({cell_sql(scope.with_side("old"))})
            UNION ALL SELECT {cols} FROM ({cell_sql(scope.with_side("new"))})
        ) GROUP BY ALL HAVING sum({count}) <> 0""", params or {})  # noqa: S608 - our names
    for sql in others:
        con.execute(f"INSERT INTO {copy} BY NAME {sql}", params or {})
    delete_rows(con, table, where)
    con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {copy}")  # noqa: S608 - ours


def as_of(con: duckdb.DuckDBPyConnection) -> date | None:
    """The as-of date stored in facts_meta (None before the first build)."""
    try:
        rows = con.execute("SELECT CAST(value AS DATE) FROM facts_meta WHERE key = 'as_of'").fetchall()
    except duckdb.CatalogException:
        return None
    return rows[0][0] if rows else None
