"""The rows a load's derived-table builders read, copied once per pass into small staging tables.

A builder selects its rows of the touched owners from base and derived tables. Each big table read
that way costs a scan whose price grows with the table (DuckDB filters the touched households inside
the scan, but a few thousand rows still touch many of its vectors at 10M households), and twenty
builders would scan hh_facts and members again and again. So each pass copies, once:
- `_src<suffix>_<table>` (`Scope.src`): a base table's rows of the touched households (and of no
  household, for the rectification ledger and data issues, when those were touched);
- `_csrc<suffix>_<table>` (`Scope.cell_src`): the rows of every household in a touched cell, which the
  summary cells are computed from (after hh_facts is rewritten: a household's cell may be new).
A derived table's rows just written for the touched households are copied by `etl.derived_table.replace`
into `_src<suffix>_<table>` as it writes them; the changeset takes its rows from these copies too.
"""

from __future__ import annotations

import duckdb

from etl.raw_file import STAGE_SCHEMA
from etl.scope import Scope

# base tables the builders read by household
HK_SOURCES = ("households", "members", "interventions", "visits", "medical_claims", "household_income",
              "rectifications", "data_issues", "household_keys")
# tables the summary cells read: hh_facts, and the ledgers summed per cell (agg_ill_member reads
# list_ill_member by cell itself: that table is rewritten later in the pass)
CELL_SOURCES = ("hh_facts", "members", "interventions")


def build_hk_sources(con: duckdb.DuckDBPyConnection, scope: Scope, tables: tuple[str, ...] = HK_SOURCES) -> None:
    """`_src<suffix>_<table>` for the base tables (before any derived table of the pass is written), or
    for derived `tables` a pass reads without rewriting them."""
    for table in tables:
        where = scope.rows(table, set())
        con.execute(f"CREATE OR REPLACE TABLE {scope.src(table)} AS "  # noqa: S608 - our names
                    f"SELECT * FROM {table} WHERE {where or 'FALSE'}")


def build_cell_sources(con: duckdb.DuckDBPyConnection, scope: Scope, tables: tuple[str, ...] = CELL_SOURCES) -> None:
    """`_csrc<suffix>_<table>` for the households of the touched cells (after hh_facts is written)."""
    hks = f"{STAGE_SCHEMA}._cell_hk{scope.suffix}"
    con.execute(f"CREATE OR REPLACE TABLE {hks} AS SELECT hk FROM hh_facts f WHERE {scope.cell('f')}")  # noqa: S608
    for table in tables:
        if table == "hh_facts":  # carries the cell: filter on it
            where = scope.cell("t")
        else:
            where = f"t.hk IN (SELECT hk FROM {hks})"  # noqa: S608 - our names
        con.execute(f"CREATE OR REPLACE TABLE {scope.cell_src(table)} AS "  # noqa: S608 - our names
                    f"SELECT * FROM {table} t WHERE {where}")

