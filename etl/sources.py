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

from pathlib import Path

import duckdb

from etl.owners import HK, OWNERS, Touched, stage_table
from etl.raw_file import STAGE_SCHEMA
from etl.scope import Scope

# base tables the builders read by household
HK_SOURCES = ("households", "members", "interventions", "visits", "medical_claims", "household_income",
              "rectifications", "data_issues", "household_keys")
# tables the summary cells read, with the columns they read: hh_facts, and the ledgers summed per
# cell (etl.derive._aggregates; agg_ill_member reads list_ill_member by cell itself: that table is
# rewritten later in the pass). Only these columns are copied: the cells of a few thousand scattered
# households hold ~4% of a county's rows, and copying every column of them cost 5x as long (M: 0.4 s
# against 0.08 s per ledger), most of a 1,000-visit load's time.
CELL_COLUMNS = {
    "hh_facts": "*",
    "members": "hk, health, labor_skill",
    "interventions": "hk, year, start_date, category, amount_yuan, project",
}
CELL_SOURCES = tuple(CELL_COLUMNS)


# Columns the age pass (etl.derive._age_pass: hh_facts, agg_household, list_visit) never reads: a
# person's identity. The touched rows are scattered over the whole table, so a copy decompresses
# nearly every vector of each column it takes; these texts were ~3/4 of copying the members of the
# ~10k households a week's move of the as-of date touches at 10M households (1.8 s against 0.5 s).
AGED_UNREAD = {"members": " EXCLUDE (name, id_number, member_id, member_key)"}


# Base tables read by household alone that both passes of a load copy when it has an age pass: read
# once for the two passes' households together (`build_shared_sources`), each pass then takes its own
# from that copy. A scattered read of a 20–40M-row table costs ~1 s at 10M households whether it
# fetches 1,000 households or 10,000; a visits file that moves the as-of date read each twice. Members
# too: the shared copy reads the identity texts of the age pass's households, which its own copy skipped
# (AGED_UNREAD), and still cost less than two copies (L, 1,000 visits, two traces: 1.2 s against 2.2 + 1.0 s).
SHARED = tuple(t for t in HK_SOURCES if OWNERS[t] == HK)

# The columns the builders read of a base table the load did not write (a written table's copy is also
# the changeset's rows of it: every column). Interventions' record, status and unit texts were ~3/4 of
# copying the ~10k households of a 1,000-visit load at 10M households (0.57 s against 0.16 s for the
# same households alone; 1.6 s inside the load). Read by etl.derive (hh_facts, list_project_household,
# the summary cells: CELL_COLUMNS); a builder reading another column fails on it in every test.
BUILDER_COLUMNS = {"interventions": "hk, category, content, project, year, start_date, amount_yuan"}


# Base tables that only these derived tables read: not copied when the load changes none of them
# (etl.owners.READS). Claims for a 1,000-visit file: 0.17 s of scattered reads at 10M households.
READ_ONLY_BY = {"medical_claims": ("list_claim", "list_claim_year")}


# Base tables whose columns a patching load (`Scope.patch`) takes from the stored hh_facts rows: no
# builder of such a load reads them (the ones that would, etl.owners.READS, are left as they are).
PATCH_UNREAD = ("households", "interventions", "household_income", "rectifications")
# What a patching load's builders read of its households' members: the counted columns of hh_facts and
# the inspection facts, and the school-age list's. No identity (the ill-member list keeps its stored
# one) and no other text: at L the members of 1,000 households took 0.36-0.47 s with every column but
# the identity ones, ~0.1 s with these.
PATCH_COLUMNS = {"members": "hk, household_id, birth_date, school_status, health, labor_skill, medical_insurance, "
                            "critical_illness_insurance, family_doctor_signed, id_valid"}


def _read(table: str, touched: Touched, patch: bool = False) -> bool:
    """Whether some builder of this load reads `table`."""
    if patch and table in PATCH_UNREAD:
        return False
    return table not in READ_ONLY_BY or any([touched.needs(t) for t in READ_ONLY_BY[table]])


def _columns(table: str, touched: Touched, aged: bool = False, patch: bool = False) -> str:
    """What a copy of `table` for the builders takes."""
    if patch and table in PATCH_COLUMNS:
        return PATCH_COLUMNS[table]
    if table in BUILDER_COLUMNS and not touched.wrote(table):
        return BUILDER_COLUMNS[table]
    return "*" + (AGED_UNREAD.get(table, "") if aged else "")


def shared_name(table: str) -> str:
    return f"{STAGE_SCHEMA}._both_{table}"


def build_shared_sources(con: duckdb.DuckDBPyConnection, touched: Touched, patch: bool = False) -> tuple[str, ...]:
    """`_both_<table>` for the tables of `SHARED`: their rows of the load's households and of the age
    pass's (`t_hk`, `t_hk_aged`). Base tables do not change between the passes. Returns the tables."""
    both = f"SELECT hk FROM {stage_table('hk')} UNION SELECT hk FROM {stage_table('hk', '_aged')}"  # noqa: S608 - ours
    tables = tuple(t for t in SHARED if _read(t, touched, patch))
    for table in tables:
        con.execute(f"CREATE OR REPLACE TABLE {shared_name(table)} AS "  # noqa: S608 - our names
                    f"SELECT {_columns(table, touched, patch=patch)} FROM {table} WHERE hk IN ({both})")
    return tables


def build_hk_sources(con: duckdb.DuckDBPyConnection, scope: Scope, touched: Touched,
                     tables: tuple[str, ...] = HK_SOURCES, shared: tuple[str, ...] = ()) -> None:
    """`_src<suffix>_<table>` for the base tables (before any derived table of the pass is written), or
    for derived `tables` a pass reads without rewriting them; those in `shared` from their
    `build_shared_sources` copy."""
    for table in (t for t in tables if _read(t, touched, scope.patch)):
        where = scope.rows(table, set())
        columns = _columns(table, touched, scope.suffix == "_aged", scope.patch)
        origin = shared_name(table) if table in shared else table
        if table in shared and scope.patch:  # the shared copy took the columns a patching pass reads
            columns = "*"
        con.execute(f"CREATE OR REPLACE TABLE {scope.src(table)} AS "  # noqa: S608 - our names
                    f"SELECT {columns} FROM {origin} WHERE {where or 'FALSE'}")


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
                    f"SELECT {CELL_COLUMNS[table]} FROM {table} t WHERE {where}")



def build_old_ledgers(con: duckdb.DuckDBPyConnection, scope: Scope, touched: Touched, before_load: Path) -> bool:
    """`_old_<table>` (`Scope.old_src`) for the ledgers the summary cells sum, in a delta pass: the
    touched households' rows before the load. A ledger the load did not write still holds them (its
    `_src_` copy); one it wrote is read from `before_load`, the published snapshot the load started
    from (nobody writes it; the touched households keep their integer keys there). False when that
    file cannot be opened: the pass then reads the cells whole."""
    attached = False
    try:
        for table in CELL_SOURCES:
            if table == "hh_facts" or not _read(table, touched, scope.patch):  # kept as hh_facts is rewritten; not read
                continue
            if table not in touched.base and table not in touched.all_tables:
                con.execute(f"CREATE OR REPLACE VIEW {scope.old_src(table)} AS SELECT * FROM {scope.src(table)}")  # noqa: S608
                continue
            if not attached:
                try:
                    con.execute("ATTACH ? AS before_load (READ_ONLY)", [str(before_load)])
                except duckdb.Error:
                    return False
                attached = True
            con.execute(f"CREATE OR REPLACE TABLE {scope.old_src(table)} AS "  # noqa: S608 - our names
                        f"SELECT {CELL_COLUMNS[table]} FROM before_load.main.{table} t "
                        f"WHERE t.hk IN (SELECT hk FROM {stage_table('hk')})")
    finally:
        if attached:
            con.execute("DETACH before_load")
    return True
