"""Data management (数据管理): load history and rejected rows.

Rejected rows keep their raw values as JSON; ID numbers (15-18 characters) and mobile numbers inside
them are masked unless the viewer may see personal data, and so are the values of the name fields
(`name`, `head_name`), like every other name. The masked text depends on the row only: it is stored
with the snapshot (`list_rejected.raw_masked`, `etl.quality_checks.rejected_masked_sql`).
"""

from __future__ import annotations

import duckdb
import pandas as pd

from etl.fields import rejected_value_sql
from etl.keys import outside_keys
from queries.filters import ALL, Viewer, area_where, households_in, mask_file_name, mask_household_id
from queries.meta import LOADED_AT, batch_columns
from queries.quality import masked_raw_value_sql


def load_history(con: duckdb.DuckDBPyConnection, viewer: Viewer) -> pd.DataFrame:
    """Every load batch, newest first, as `viewer` may see it (queries.meta.batch_columns: a viewer
    limited to some townships sees each batch's time and kind only)."""
    cols = batch_columns(viewer, "batch_id", "file_name", "kind", "loaded_at", "rows_read", "rows_loaded",
                         "rows_rejected", "rows_skipped", "issues", "ignored_columns", "encoding", "header_line",
                         "sha256", ignored_columns="array_to_string(ignored_columns, '、')",
                         loaded_at=LOADED_AT)
    return con.execute(f"SELECT {cols} FROM load_batches ORDER BY loaded_at DESC, batch_id DESC").df()  # noqa: S608


def rejected_rows(con: duckdb.DuckDBPyConnection, viewer: Viewer, batch_id: int | None = None) -> pd.DataFrame:
    """Rejected rows (optionally of one batch) with reason code, field, the value that rejected the row (a
    mangled 户编号; none for a missing one) and the raw values (masked).

    Rows of a rejected line cannot be placed in a township, so a viewer limited to some townships
    sees none of them.
    """
    if viewer.townships is not None:
        return pd.DataFrame(columns=["batch_id", "file_name", "line", "rule", "field", "value", "raw", "kind",
                                     "loaded_at"])
    raw = "raw" if viewer.pii else "raw_masked"
    return con.execute(f"""
        SELECT batch_id, {mask_file_name("file_name", viewer)} AS file_name, line, rule, field,
            {rejected_value_sql(raw)} AS value, {raw} AS raw, kind, loaded_at
        FROM list_rejected
        WHERE $batch IS NULL OR batch_id = $batch
        ORDER BY batch_id DESC, line
    """, {"batch": batch_id}).df()  # noqa: S608 - column names and SQL of this package


LEDGERS = ("interventions", "visits", "medical_claims", "rectifications")


def outside_registry(con: duckdb.DuckDBPyConnection, viewer: Viewer) -> pd.DataFrame:
    """Ledger rows whose 户编号 is in no registry file loaded: kind, household_id, rows, first_line and
    file_name (of its first row), most rows first. They are loaded (the contract keeps every row that can
    be placed by its 户编号), but no figure by place counts them, since only the registry places a
    household: a mistyped 户编号 on a claim took its money out of every total without a word (a probe
    with unseen files). A viewer limited to some townships sees the rectification rows their ledger
    places in those townships, as the rectification page shows that viewer their items
    (`queries.rectification.item_where`); the other ledgers' rows have no township and stay hidden, and
    so do file names (`queries.meta.BATCH_PUBLIC`)."""
    scoped = viewer.townships is not None
    cols = ["kind", "household_id", "rows", "first_line"] + ([] if scoped else ["file_name"])
    outside = outside_keys(con)
    if outside is None:
        return pd.DataFrame(columns=cols)
    keys, params = outside
    scope, sparams = area_where(ALL, viewer, "t.township", None)  # 'TRUE' for the whole county
    file_name, batches = ("", "") if scoped else (f", {mask_file_name('min(b.file_name)', viewer)} AS file_name",
                                                  "LEFT JOIN load_batches b USING (batch_id)")
    # each ledger scanned for the few outside keys (L: 2.4 s as one anti-join per ledger of 63M rows)
    parts = " UNION ALL ".join(
        f"""SELECT '{kind}' AS kind, {mask_household_id("t.household_id", viewer)} AS household_id, count(*) AS rows,
                   min(t.source_line) AS first_line{file_name}
            FROM {kind} t {batches}
            WHERE t.household_id IS NOT NULL AND t.hk IN (SELECT hk FROM outside)
                AND {scope if kind == "rectifications" else "TRUE"}
            GROUP BY t.household_id"""  # noqa: S608 - table names from LEDGERS, scope from area_where
        for kind in (("rectifications",) if scoped else LEDGERS))
    return con.execute(f"WITH outside AS MATERIALIZED ({keys}) SELECT * FROM ({parts}) "  # noqa: S608
                       "ORDER BY rows DESC, kind, household_id", {**params, **sparams}).df()


def issues_outside(con: duckdb.DuckDBPyConnection, viewer: Viewer) -> pd.DataFrame:
    """Data issues of no registered household: of a ledger row or a household check whose 户编号 is in
    no registry file, or of an item that names no household (a township's rectification item). The
    archive page counts and lists issues by household, so these were counted by the loads and on this
    page's total but listed nowhere (the demo: 38 issues, 37 listed). Columns: batch_id, file_name, line,
    kind (the table), household_id, rule, field, value (masked as everywhere); in file and line order.
    A viewer limited to some townships sees none: most of them have no township."""
    cols = ["batch_id", "file_name", "line", "kind", "household_id", "rule", "field", "value"]
    if viewer.townships is not None:
        return pd.DataFrame(columns=cols)
    return con.execute(f"""
        SELECT d.batch_id, {mask_file_name("d.file_name", viewer)} AS file_name, d.line, d.table_name AS kind,
               {mask_household_id("d.household_id", viewer)} AS household_id, d.rule, d.field,
               {masked_raw_value_sql("d.field", "d.raw_value", viewer)} AS value
        FROM data_issues d
        WHERE d.hk IS NULL OR NOT EXISTS (SELECT 1 FROM households h WHERE h.hk = d.hk)
        ORDER BY d.batch_id, d.line, d.table_name, d.rule, d.field
    """).df()  # noqa: S608 - SQL of this package


def totals(con: duckdb.DuckDBPyConnection, viewer: Viewer | None = None) -> dict[str, int]:
    """Row counts of the base tables (for the data page's header). For a viewer limited to some
    townships: the rows of their households (and rectification items of their townships); rejected rows
    cannot be placed in a township and count 0."""
    out: dict[str, int] = {}
    scoped = viewer is not None and viewer.townships is not None
    for table in ("households", "members", "interventions", "visits", "medical_claims", "rectifications",
                  "data_issues", "rejected_rows", "load_batches"):
        if not scoped or table == "load_batches":
            out[table] = int(con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608
        elif table == "rejected_rows":
            out[table] = 0
        elif table == "rectifications":
            from queries.rectification import item_where

            where, params = item_where(ALL, viewer)
            out[table] = int(con.execute(f"SELECT count(*) FROM list_rectification r WHERE {where}", params).fetchone()[0])  # noqa: S608
        else:
            where, params = households_in(ALL, viewer, "household_id")
            out[table] = int(con.execute(f"SELECT count(*) FROM {table} WHERE {where}", params).fetchone()[0])  # noqa: S608
    return out
