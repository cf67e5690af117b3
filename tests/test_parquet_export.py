"""The snapshot as Parquet (`python -m etl export-parquet DIR`, etl.parquet_export).

Every query function (tests/query_calls.py, as the township-scope test runs them) runs against the
demo county's snapshot and against DuckDB views over the exported Parquet files, for several viewers
and filters: every frame is equal. The manifest's counts and schema match the snapshot; partitions are
named as Hive and Spark name them; a second export after a load shows the new generation.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd
import pytest

from etl import parquet_export
from etl.snapshot import current_snapshot, generation
from queries import data_admin, filters, meta, quality
from queries.filters import ALL, Filters, Viewer
from tests.query_calls import every_result

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2020, 6, 30)
TOWN = "德岭山镇"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "etl", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)


@pytest.fixture(scope="module")
def exported(demo_cli_db: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    db = demo_cli_db  # read only: the export reads the current snapshot
    out = tmp_path_factory.mktemp("parquet") / "export"
    proc = _cli("export-parquet", str(out), "--db", str(db))
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    return db, out


@pytest.fixture(scope="module")
def cons(exported: tuple[Path, Path]) -> Iterator[tuple[duckdb.DuckDBPyConnection, duckdb.DuckDBPyConnection]]:
    db, out = exported
    snap = duckdb.connect(str(current_snapshot(db)), read_only=True)
    pq = duckdb.connect()
    parquet_export.views(pq, out)
    yield snap, pq
    snap.close()
    pq.close()


def _equal(where: str, a: pd.DataFrame, b: pd.DataFrame) -> None:
    try:
        pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_exact=False,
                                      rtol=1e-9, atol=1e-9)
    except AssertionError as exc:
        raise AssertionError(f"{where}: {exc}") from None


def test_manifest_matches_snapshot(exported: tuple[Path, Path]) -> None:
    db, out = exported
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    snap = current_snapshot(db)
    assert manifest["snapshot"] == snap.name and manifest["generation"] == generation(snap) == 3  # demo: 2019 registry, 2020, its marker
    assert manifest["as_of"] == "2020-06-30"
    assert manifest["code_lists"]["main_cause"][0] == "因病"
    con = duckdb.connect(str(snap), read_only=True)
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'").fetchall()}
    assert set(manifest["tables"]) == {t for t in tables if not t.startswith("ix_") and t != "slot"}
    for table, spec in manifest["tables"].items():
        n = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
        if table == "meta":  # plus one 'unsorted' mark per exported table
            n += len(manifest["tables"]) - 1
        if table == "facts_meta":  # less the lookup indexes' hash probe
            n -= 1
        assert spec["rows"] == n, table
        cols = con.execute("SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ? "
                           "ORDER BY column_index", [table]).fetchall()
        # as the files hold them: a HUGEINT sum is written as BIGINT (the manifest said HUGEINT: a probe)
        assert [(c["name"], c["type"]) for c in spec["columns"]] == [
            (n, "BIGINT" if t == "HUGEINT" else t) for n, t in cols], table
        assert spec["partition_by"] == (["township"] if "township" in dict(cols) else [])
    town_rows = con.execute("SELECT count(*) FROM households WHERE township = ?", [TOWN]).fetchall()[0][0]
    con.close()
    towns = {p.name for p in (out / "tables" / "households").iterdir()}
    assert f"township={TOWN}" in towns  # as Spark and Hive write it, not percent-encoded
    # a plain reader (no views) takes the partition column from the path
    plain = duckdb.connect()
    n = plain.execute("SELECT count(*) FROM read_parquet(?, hive_partitioning = true) WHERE township = ?",
                      [str(out / "tables" / "households" / "**" / "*.parquet"), TOWN]).fetchall()[0][0]
    assert n == town_rows > 0


VIEWERS = [Viewer(), Viewer(pii=True), Viewer(townships=(TOWN,))]
FILTERS = [ALL, Filters(townships=(TOWN,)), Filters(main_causes=("因病",), exit_statuses=("已脱贫",))]


# each viewer with one filter (every pair would triple the time and test nothing the views change)
@pytest.mark.parametrize(("viewer", "flt"), list(zip(VIEWERS, FILTERS, strict=True)),
                         ids=["masked-all", "pii-township", "township_staff-cause+status"])
def test_every_query_equal_on_parquet(cons: tuple[duckdb.DuckDBPyConnection, duckdb.DuckDBPyConnection],
                                      viewer: Viewer, flt: Filters) -> None:
    snap, pq = cons
    projects = [r[0] for r in snap.execute("SELECT DISTINCT project FROM interventions WHERE project IS NOT NULL "
                                           "ORDER BY 1").fetchall()]
    ids = [r[0] for r in snap.execute("SELECT household_id FROM households ORDER BY 1").fetchall()]
    a = list(every_result(snap, viewer, flt, AS_OF, projects, ids))
    b = list(every_result(pq, viewer, flt, AS_OF, projects, ids))
    assert [w for w, _ in a] == [w for w, _ in b]
    assert len(a) > 100
    assert sum(len(df) for _, df in a) > 300  # hundreds of rows compared, even for one township and one cause
    for (where, x), (_, y) in zip(a, b, strict=True):
        _equal(where, x, y)


def test_other_query_functions_equal_on_parquet(
        cons: tuple[duckdb.DuckDBPyConnection, duckdb.DuckDBPyConnection]) -> None:
    snap, pq = cons
    for fn in (data_admin.load_history, meta.batches, quality.issue_trend):
        for viewer in VIEWERS:
            _equal(fn.__name__, fn(snap.cursor(), viewer), fn(pq.cursor(), viewer))
    assert meta.data_as_of(snap) == meta.data_as_of(pq)
    for viewer in VIEWERS:
        assert filters.options(snap, viewer) == filters.options(pq, viewer)
        assert data_admin.totals(snap, viewer) == data_admin.totals(pq, viewer)


def test_export_follows_loads(exported: tuple[Path, Path], tmp_path: Path) -> None:
    """After a load the next export is the new generation; the export replaces the earlier one whole."""
    db, out = exported
    ledger = tmp_path / "问题整改台账.csv"
    ledger.write_text("问题编号,问题来源,发现日期,乡镇,村,问题类别,问题描述,责任单位,整改时限,整改状态\n"
                      f"PQ-1,自查,2020-06-01,{TOWN},兴丰村,政策落实,导出测试,乡政府,2020-07-01,整改中\n",
                      encoding="utf-8")
    proc = _cli("load", str(ledger), "--db", str(db))
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    again = tmp_path / "again"
    manifest = parquet_export.export(again, db)
    first = parquet_export.read_manifest(out)
    assert manifest["generation"] == first["generation"] + 1
    con = duckdb.connect()
    parquet_export.views(con, again)
    assert con.execute("SELECT township FROM rectifications WHERE issue_id = 'PQ-1'").fetchall() == [(TOWN,)]
    assert manifest["tables"]["rectifications"]["rows"] == first["tables"]["rectifications"]["rows"] + 1


def test_ddl_for_other_engines(exported: tuple[Path, Path]) -> None:
    _, out = exported
    manifest = parquet_export.read_manifest(out)
    spark = parquet_export.table_ddl(manifest, "s3a://bucket/fupin", "spark")
    assert "CREATE TABLE fupin.households (" in spark and "PARTITIONED BY (`township` STRING)" in spark
    assert "LOCATION 's3a://bucket/fupin/tables/households'" in spark
    assert "`people` BIGINT" in spark  # HUGEINT sums are written as BIGINT
    trino = parquet_export.table_ddl(manifest, "s3://bucket/fupin", "trino")
    assert "partitioned_by = ARRAY['township']" in trino and "hh ROW(township VARCHAR" in trino
    assert len([s for s in spark.split(";") if "CREATE TABLE" in s]) == len(manifest["tables"])
    # the schema first, and Trino told of the partitions on disk (without it a partitioned table is empty)
    assert spark.startswith("CREATE DATABASE IF NOT EXISTS fupin;") and trino.startswith(
        "CREATE SCHEMA IF NOT EXISTS hive.fupin;")
    assert "CREATE TABLE hive.fupin.households (" in trino
    assert "CALL hive.system.sync_partition_metadata('fupin', 'households', 'FULL');" in trino
    assert parquet_export.hive_escape("a/b=c") == "a%2Fb%3Dc" and parquet_export.hive_escape("德岭山镇") == "德岭山镇"


def test_parquet_types_are_the_manifests(exported: tuple[Path, Path]) -> None:
    _, out = exported
    spec = parquet_export.read_manifest(out)["tables"]["agg_household"]
    con = duckdb.connect()
    found = dict(con.execute("SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(?, "
                             "hive_partitioning = true))", [str(out / "tables" / "agg_household" / "**" / "*.parquet")]
                             ).fetchall())
    assert found["people"] == "BIGINT" and all(found[c["name"]] == c["type"] for c in spec["columns"]
                                               if c["name"] != "township")


def test_export_replaces_only_an_earlier_export(exported: tuple[Path, Path], tmp_path: Path) -> None:
    """`export-parquet DIR` renamed whatever was at DIR aside and deleted it: the database folder, with
    its snapshots, when DIR was `data` (a probe). Only an earlier export or an empty folder is replaced;
    anything else is refused and left as it was. With --ddl, stdout is the script alone."""
    db, _ = exported
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me", encoding="utf-8")
    proc = _cli("export-parquet", str(folder), "--db", str(db))
    assert proc.returncode == 1 and "不是此前导出的 Parquet 目录" in proc.stderr, proc.stderr
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]
    afile = tmp_path / "a.csv"
    afile.write_text("x", encoding="utf-8")
    assert _cli("export-parquet", str(afile), "--db", str(db)).returncode == 1 and afile.read_text() == "x"
    (tmp_path / "empty").mkdir()
    ddl = _cli("export-parquet", str(tmp_path / "empty"), "--db", str(db), "--ddl", "spark")
    assert ddl.returncode == 0 and ddl.stdout.startswith("CREATE DATABASE"), ddl.stdout[:200]
    assert "已导出快照" in ddl.stderr
    assert _cli("export-parquet", str(tmp_path / "empty"), "--db", str(db)).returncode == 0  # an export again


def test_an_earlier_export_holding_other_files_is_not_replaced(fixture_db: Path, tmp_path: Path) -> None:
    """A nightly `etl backup /backup/fupin` and `etl export-parquet /backup/fupin`: the second export
    replaced the folder whole, deleting every backup beside the earlier export (a probe)."""
    folder = tmp_path / "nightly"
    assert _cli("export-parquet", str(folder), "--db", str(fixture_db)).returncode == 0
    assert _cli("backup", str(folder), "--db", str(fixture_db)).returncode == 0
    kept = sorted(p.name for p in folder.iterdir())
    for lang, said in (("zh", f"{folder} 是此前导出的 Parquet 目录，但其中还有别的文件或文件夹（如 fupin-"),
                       ("en", f"{folder} is an earlier Parquet export but also holds other files or folders (e.g. fupin-")):
        p = _cli("--lang", lang, "export-parquet", str(folder), "--db", str(fixture_db))
        assert p.returncode == 1 and said in p.stderr, p.stderr
    assert sorted(p.name for p in folder.iterdir()) == kept and len(kept) == 4, kept


def test_a_folder_that_cannot_be_made_is_named_as_the_user_wrote_it(fixture_db: Path, tmp_path: Path) -> None:
    """Under a file (or a folder not writable) the message named the hidden folder written first,
    …/.out.writing/tables, which the user never typed (a probe)."""
    afile = tmp_path / "a.txt"
    afile.write_text("x", encoding="utf-8")
    for lang, said in (("zh", f"无法完成：{afile / 'out'}（路径中有一项不是文件夹）"),
                       ("en", f"Could not finish: {afile / 'out'} (a part of the path is not a folder)")):
        p = _cli("--lang", lang, "export-parquet", str(afile / "out"), "--db", str(fixture_db))
        assert p.returncode == 1 and said in p.stderr and ".writing" not in p.stderr, p.stderr


def test_stamps_are_the_countys_time_on_a_server_kept_in_utc(fixture_db: Path, tmp_path: Path) -> None:
    """A server kept in UTC wrote the export's `exported_at` and a verified backup's `created_at` in its own
    zone, eight hours behind every other stamp of the product (load times, backup names: etl.clock)."""
    env = {**os.environ, "TZ": "UTC", "FUPIN_TZ": "Asia/Shanghai"}
    county = ZoneInfo("Asia/Shanghai")
    before = dt.datetime.now(county).replace(tzinfo=None, microsecond=0)
    out = tmp_path / "export"
    proc = subprocess.run([sys.executable, "-m", "etl", "export-parquet", str(out), "--db", str(fixture_db)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    code = ("import sys; from pathlib import Path; from etl import backup; "
            "print(backup.verify(Path(sys.argv[1])).created_at)")
    assert _cli("backup", str(tmp_path / "bk"), "--db", str(fixture_db)).returncode == 0
    (backup_file,) = (tmp_path / "bk").glob("*.duckdb")
    verified = subprocess.run([sys.executable, "-c", code, str(backup_file)], cwd=ROOT, capture_output=True,
                              text=True, timeout=600, env=env)
    assert verified.returncode == 0, verified.stderr[-2000:]
    after = dt.datetime.now(county).replace(tzinfo=None)
    stamps = [json.loads((out / "manifest.json").read_text(encoding="utf-8"))["exported_at"], verified.stdout.strip()]
    for stamp in stamps:
        assert before <= dt.datetime.fromisoformat(stamp) <= after, (stamp, before, after)
