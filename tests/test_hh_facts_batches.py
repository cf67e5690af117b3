"""hh_facts built in township batches equals hh_facts built in one statement, row order included."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from etl import derive
from etl.stage import drop_stage_schema, use_stage_schema


def _rebuild(snapshot: Path, tmp: Path, limit: int | None) -> list[tuple]:
    """Copy the demo snapshot, rebuild every derived table with hh_facts in batches of `limit`, and
    return hh_facts in stored order."""
    db = tmp / f"batch{limit}.duckdb"
    shutil.copyfile(snapshot, db)
    con = duckdb.connect(str(db))
    try:
        if limit is not None:
            derive.BATCH_HOUSEHOLDS = limit
        derive.build_all(con)
        return con.execute("SELECT * FROM hh_facts ORDER BY rowid").fetchall()
    finally:
        con.close()


def test_batches_equal_one_statement(demo_snapshot: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(derive, "BATCH_HOUSEHOLDS", derive.BATCH_HOUSEHOLDS)
    whole = _rebuild(demo_snapshot, tmp_path, None)
    per_town = _rebuild(demo_snapshot, tmp_path, 1)  # every township its own batch
    assert len(whole) > 500
    assert per_town == whole
    with duckdb.connect(str(demo_snapshot), read_only=True) as con:
        towns = con.execute("SELECT count(DISTINCT township) FROM households").fetchall()[0][0]
        assert towns >= 3
        assert len(derive.township_batches(con, 1)) == towns
        assert len(derive.township_batches(con, 10**9)) == 1


def test_batches_group_whole_townships_and_keep_a_missing_one_last() -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE households (household_id VARCHAR, township VARCHAR)")
    con.execute("""INSERT INTO households SELECT 'h' || i, CASE WHEN i < 5 THEN 'A' WHEN i < 8 THEN 'B'
                   WHEN i < 9 THEN 'C' ELSE NULL END FROM range(11) t(i)""")
    # A=5, B=3, C=1, NULL=2: a batch never splits a township, one bigger than the limit stands alone
    assert derive.township_batches(con, 4) == [("A", "A", 0), ("B", "C", 5), (None, None, 9)]
    assert derive.township_batches(con, 100) == [("A", "C", 0), (None, None, 9)]


def test_stage_schema_is_gone_after_a_build(demo_snapshot: Path, tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    shutil.copyfile(demo_snapshot, db)
    with duckdb.connect(str(db)) as con:
        use_stage_schema(con)
        con.execute("CREATE TABLE stage.leftover AS SELECT 1")
        derive.build_all(con)
        schemas = {r[0] for r in con.execute("SELECT schema_name FROM duckdb_schemas() WHERE database_name = current_database()").fetchall()}
        assert "stage" not in schemas
        drop_stage_schema(con)  # idempotent
