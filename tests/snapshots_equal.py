"""Compare snapshot files table by table: the oracle of the incremental-load tests.

`rebuilt(snapshot, work)` copies a snapshot file and rebuilds every derived table whole from its base
tables (`etl.derive.build_all`, as `python -m etl rebuild` does); `caught_up(db, work)` copies the
other snapshot file and replays the changesets it lacks, as the next load would; `differences(a, b)` lists the
tables of `etl.owners.OWNERS` whose rows differ, comparing each table's rows in one total order (every
column), DOUBLE columns to 1e-9 relative (a sum's last bits depend on the order it was added in).
Columns that record when something was built or loaded are left out.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import duckdb

from etl import changeset, derive
from etl import snapshot as snapshots
from etl.owners import OWNERS

SKIP_KEYS = {"facts_meta": ("built_at", "hash_probe"), "meta": ("built_at", "schema_version")}


def rebuilt(snapshot: Path, work: Path) -> Path:
    """A copy of `snapshot` with its derived tables rebuilt whole."""
    shutil.copyfile(snapshot, work)
    con = duckdb.connect(str(work))
    try:
        derive.build_all(con)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return work


def caught_up(db: Path, work: Path) -> tuple[Path, Path]:
    """(a copy of the other snapshot file of `db` brought up to the current generation by replaying the
    changesets it lacks, the current file): what the next load would start from, and what it must equal."""
    cur = snapshots.current_snapshot(db)
    assert cur is not None
    others = [p for p in snapshots.snapshots_dir(db).glob("g*.duckdb") if p.resolve() != cur.resolve()]
    assert len(others) == 1, others  # two files: the current one and the one the next load writes
    shutil.copyfile(others[0], work)
    con = duckdb.connect(str(work))
    try:
        for g in range(snapshots.generation(others[0]) + 1, snapshots.generation(cur) + 1):
            changeset.apply(con, snapshots.changes_dir(db) / f"c{g:08d}.duckdb")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return work, cur


def _rows(con: duckdb.DuckDBPyConnection, table: str) -> tuple[list[str], list[tuple]]:
    cols = [r[0] for r in con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE table_name = ? AND schema_name = 'main' "
        "AND database_name = current_database() ORDER BY column_index", [table]).fetchall()]
    where = ""
    if table in SKIP_KEYS:
        where = " WHERE key NOT IN (" + ", ".join(f"'{k}'" for k in SKIP_KEYS[table]) + ")"
        where += " AND key NOT LIKE 'unsorted:%'" if table == "meta" else ""
    rows = con.execute(f'SELECT * FROM "{table}"{where} ORDER BY ALL').fetchall()  # noqa: S608
    return cols, rows


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a == b


def differences(a: Path, b: Path, tables: list[str] | None = None) -> dict[str, str]:
    """{table: what differs} between two snapshot files (empty: equal)."""
    out: dict[str, str] = {}
    ca, cb = duckdb.connect(str(a), read_only=True), duckdb.connect(str(b), read_only=True)
    try:
        for table in tables or list(OWNERS):
            cols_a, rows_a = _rows(ca, table)
            cols_b, rows_b = _rows(cb, table)
            if cols_a != cols_b:
                out[table] = f"columns {cols_a} != {cols_b}"
            elif len(rows_a) != len(rows_b):
                out[table] = f"{len(rows_a)} rows != {len(rows_b)} rows"
            else:
                for ra, rb in zip(rows_a, rows_b, strict=True):
                    if not _same(ra, rb):
                        out[table] = f"first difference: {dict(zip(cols_a, ra, strict=True))} != " \
                                     f"{dict(zip(cols_b, rb, strict=True))}"
                        break
    finally:
        ca.close()
        cb.close()
    return out
