"""The loader's staging schema (etl.stage): nothing of it is left in a published snapshot, whether the
snapshot comes from a load or from rebuilding the derived tables."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from etl import derive, snapshot
from etl.load import load_files
from etl.stage import drop_stage_schema, use_stage_schema
from tests.test_load import REG_HEADER, pid, write_csv
from tests.test_member_keys import _row


def test_no_stage_tables_left(tmp_path: Path) -> None:
    rows = [REG_HEADER, _row(1, "H1", "", "甲", pid("19500101", "001"), "户主")]
    db = tmp_path / "db" / "fupin.duckdb"
    assert load_files([write_csv(tmp_path / "reg.csv", rows)], db).published
    con = duckdb.connect(str(snapshot.current_snapshot(db)), read_only=True)
    try:
        left = con.execute("SELECT schema_name, table_name FROM duckdb_tables() WHERE schema_name <> 'main'").fetchall()
        assert left == []
        assert "stage" not in {r[0] for r in con.execute("SELECT schema_name FROM duckdb_schemas()").fetchall()}
    finally:
        con.close()


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
