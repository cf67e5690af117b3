"""Changesets: what a load changed, so the other snapshot file catches up without redoing the work.

A changeset is a small DuckDB file `changes/c<generation>.duckdb` written by the load that made that
generation. It holds the owners the load touched (`t_hk`, `t_cell`, `t_area`, `t_batch`, those of its
age pass `t_hk_aged`, `t_cell_aged`, of its school check `t_hk_school`, and the flags in `cs_meta`) and, for every table of
`etl.owners.OWNERS` with touched owners (`Touched.predicate`), `rows__<table>`: all the rows those
owners own after the load. Applying it to a file of the previous generation deletes
the rows those owners own there and inserts the new ones, table by table, in one transaction; then
the file's own lookup indexes are refreshed (rowids belong to a file). The result equals the file
the load published (tests/test_incremental.py compares them table by table).
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import duckdb

from etl import hh_lookup
from etl.owners import (
    OWNER_COLUMN,
    OWNERS,
    PASS_SETS,
    PASS_TABLES,
    Touched,
    delete_rows,
    stage_table,
)
from etl.raw_file import STAGE_SCHEMA
from etl.scope import Scope

# A changeset's layout: one written by another layout (1: before the school check's own pass; 2: before
# the items of no household were owners of their own) is not
# replayed (`apply` raises; the load goes on from a copy of the current file).
FORMAT = 3


def _tables(con: duckdb.DuckDBPyConnection, schema: str = "main", catalog: str | None = None) -> set[str]:
    catalog_sql = "database_name = current_database()" if catalog is None else "database_name = ?"
    params = [schema] + ([] if catalog is None else [catalog])
    rows = con.execute(f"SELECT table_name FROM duckdb_tables() WHERE schema_name = ? AND {catalog_sql}",  # noqa: S608
                       params).fetchall()
    return {r[0] for r in rows}


def write(con: duckdb.DuckDBPyConnection, touched: Touched, path: Path) -> dict[str, int]:
    """Write the changeset of the owners in `touched` to `path`; returns the rows written per table."""
    path.unlink(missing_ok=True)
    touched.dedupe()
    con.execute("ATTACH ? AS cs", [str(path)])
    counts: dict[str, int] = {}
    try:
        for kind, suffix in PASS_SETS:
            con.execute(f"CREATE TABLE cs.t_{kind}{suffix} AS SELECT * FROM {stage_table(kind, suffix)}")  # noqa: S608
        present, staged = _tables(con), _tables(con, STAGE_SCHEMA)
        for table in OWNERS:
            where = touched.predicate(table) if table in present else None
            if where is None:
                continue
            # the rows the load wrote, as the builders copied them (etl.sources), else the table's
            names = [f"_src_{table}"] + [f"_src{suffix}_{table}" for suffix, tables in PASS_TABLES.items()
                                         if table in tables]
            copies = [f"{STAGE_SCHEMA}.{c}" for c in names if c in staged]
            source = " UNION ALL ".join(f"SELECT * FROM {c}" for c in copies) if copies else \
                f"SELECT * FROM {table} WHERE {where}"  # noqa: S608
            n = con.execute(f"CREATE TABLE cs.rows__{table} AS {source}").fetchall()  # noqa: S608
            counts[table] = int(n[0][0]) if n else 0
        meta = {"nohk": touched.nohk, "all_tables": sorted(touched.all_tables), "base": sorted(touched.base),
                "tables": sorted(counts), "by_difference": touched.by_difference, "format": FORMAT}
        con.execute("CREATE TABLE cs.cs_meta AS SELECT ? AS doc", [json.dumps(meta)])
    finally:
        con.execute("DETACH cs")
    return counts


def apply(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Apply the changeset at `path` to the open snapshot file `con` (one transaction)."""
    con.execute("ATTACH ? AS cs (READ_ONLY)", [str(path)])
    try:
        meta = json.loads(con.execute("SELECT doc FROM cs.cs_meta").fetchall()[0][0])
        if meta.get("format") != FORMAT:
            raise duckdb.InvalidInputException(f"changeset {path.name}: format {meta.get('format')}, not {FORMAT}")
        touched = Touched(con, nohk=bool(meta["nohk"]), all_tables=set(meta["all_tables"]), base=set(meta["base"]))
        for kind, suffix in PASS_SETS:
            con.execute(f"CREATE OR REPLACE TABLE {stage_table(kind, suffix)} AS "  # noqa: S608
                        f"SELECT {OWNER_COLUMN[kind]} FROM cs.t_{kind}{suffix}")
        con.begin()
        for table in meta["tables"]:
            where = touched.predicate(table)
            if where is not None:
                delete_rows(con, table, where)
            con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM cs.rows__{table}")  # noqa: S608
        con.commit()
        hh_lookup.build(con, Scope(False), hh_lookup.touched_tables(touched))
        hh_lookup.build(con, Scope(False, suffix="_aged"), ("hh_facts",))
        for kind, suffix in PASS_SETS:
            con.execute(f"DROP TABLE {stage_table(kind, suffix)}")
    except duckdb.Error:
        # the file is left as it was before this changeset (its rows are one transaction; the lookup
        # indexes after it are rebuilt by the next try), so the caller may try again
        with contextlib.suppress(duckdb.Error):
            con.rollback()
        raise
    finally:
        con.execute("DETACH DATABASE IF EXISTS cs")
