"""Upgrades (issue 18): a snapshot written by the previous schema version opens after an upgrade with the
same base rows, every page works, and no loaded row is ever lost.

The previous version is simulated from what it really was: schema version 17 had no exit-inspection
tables (household_checks, population_base came with 18) and its meta says '17'; one derived table is
given an older shape (a column less), as a version whose derived tables differ would have left it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from etl import backup, schema, snapshot
from etl.load import load_files, schema_version
from tests.test_backup import BASE_TABLES, base_rows
from tests.test_load import pid, registry_rows, run_cli, write_csv
from ui.selfcheck import check_pages

ROOT = Path(__file__).resolve().parents[1]
PREVIOUS = str(int(schema.SCHEMA_VERSION) - 1)



def make_previous_version(db: Path, *extra_sql: str, version: str = PREVIOUS) -> None:
    """Turn the current snapshot into what an older schema version wrote (published like any snapshot)."""
    with snapshot.writer(db) as w:
        w.con.execute("DROP TABLE household_checks")
        w.con.execute("DROP TABLE population_base")
        w.con.execute("ALTER TABLE hh_facts DROP COLUMN exit_year")
        w.con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [version])
        for sql in extra_sql:
            w.con.execute(sql)
        w.full = True


@pytest.fixture()
def old_demo(tmp_path: Path, demo_cli_db: Path) -> Path:
    """The demo county as the previous version left it (a copy per test)."""
    shutil.copytree(demo_cli_db.parent, tmp_path / "data", symlinks=True)
    db = tmp_path / "data" / demo_cli_db.name
    make_previous_version(db)
    assert schema_version(db) == PREVIOUS
    return db


def test_previous_version_opens_after_the_upgrade_with_the_same_base_rows(old_demo: Path, monkeypatch) -> None:
    before = base_rows(old_demo)
    assert before["households"] and not before["household_checks"]
    monkeypatch.setenv("FUPIN_DB", str(old_demo))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    assert not at.exception and "数据库需要升级" in at.warning[0].value  # not a traceback
    assert "python -m etl rebuild" in at.code[0].value

    p = run_cli("refresh", "--if-stale", "--db", str(old_demo))  # what `make run` does
    assert p.returncode == 0, p.stderr
    assert f"第 {PREVIOUS} 版" in p.stdout and f"按第 {schema.SCHEMA_VERSION} 版升级" in p.stdout
    assert "行数不变" in p.stdout and f"households {len(before['households'])}" in p.stdout
    assert schema_version(old_demo) == schema.SCHEMA_VERSION
    assert base_rows(old_demo) == before  # every row of every base table, every column
    con, _ = snapshot.connect_read(old_demo)
    try:
        assert con.execute("SELECT count(exit_year) FROM hh_facts").fetchall()[0][0] > 0  # derived anew
    finally:
        con.close()
    assert check_pages(old_demo) == {}
    assert run_cli("refresh", "--if-stale", "--db", str(old_demo)).stdout == ""  # up to date: nothing to do


def test_a_load_into_the_previous_version_upgrades_first(tmp_path: Path, old_demo: Path) -> None:
    before = base_rows(old_demo)
    report = load_files([write_csv(tmp_path / "reg.csv", registry_rows())], db=old_demo)
    assert report.upgraded is not None and report.upgraded.from_version == PREVIOUS
    assert "升级" in report.summary_lines()[0][0]
    assert schema_version(old_demo) == schema.SCHEMA_VERSION
    after = base_rows(old_demo)
    assert set(before["load_batches"]) < set(after["load_batches"])
    for table in ("visits", "interventions", "rectifications", "medical_claims"):
        assert after[table] == before[table]  # a registry load leaves the ledgers alone
    assert len(after["households"]) == len(before["households"]) + 5


def test_an_upgrade_that_would_lose_a_column_changes_nothing(tmp_path: Path, demo_cli_db: Path) -> None:
    shutil.copytree(demo_cli_db.parent, tmp_path / "data", symlinks=True)
    db = tmp_path / "data" / demo_cli_db.name
    make_previous_version(db, "ALTER TABLE households ADD COLUMN legacy_note VARCHAR DEFAULT '旧备注'")
    current = snapshot.current_snapshot(db)
    p = run_cli("rebuild", "--db", str(db))
    assert p.returncode == 1 and "legacy_note" in p.stderr and "未作任何更改" in p.stderr
    assert snapshot.current_snapshot(db) == current and schema_version(db) == PREVIOUS
    report = load_files([write_csv(tmp_path / "reg.csv", registry_rows())], db=db)
    assert report.exit_code == 1 and "legacy_note" in report.summary_lines()[1][0]
    assert snapshot.current_snapshot(db) == current


def test_a_backup_of_the_previous_version_is_upgraded_when_restored(tmp_path: Path, old_demo: Path) -> None:
    file, manifest = backup.backup(tmp_path / "bk", old_demo)
    assert manifest.schema_version == PREVIOUS
    fresh = tmp_path / "new" / "fupin.duckdb"
    p = run_cli("restore", str(tmp_path / "bk"), "--db", str(fresh))
    assert p.returncode == 0, p.stderr
    assert schema_version(fresh) == schema.SCHEMA_VERSION
    # it said 程序版本 28 of data it had upgraded to 29 (a probe)
    assert f"备份由第 {PREVIOUS} 版程序建立，已按第 {schema.SCHEMA_VERSION} 版升级" in p.stdout, p.stdout
    p = run_cli("--lang", "en", "restore", str(tmp_path / "bk"), "--db", str(fresh))
    assert f"made by schema version {PREVIOUS}, upgraded to version {schema.SCHEMA_VERSION}" in p.stdout, p.stdout
    assert base_rows(fresh) == base_rows(file)
    con = duckdb.connect(str(file), read_only=True)
    try:
        assert {t for t in BASE_TABLES if t not in ("household_checks", "population_base")} <= {
            r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    finally:
        con.close()


def test_measures_keyed_on_a_blank_year_by_version_21_are_keyed_again(tmp_path: Path) -> None:
    """Version 21 keyed a measure without 实施年度 on the blank; 22 on the year its 开始日期 gives. The
    upgrade keys the stored measures and their issues again, so the same measure in a later file (with
    the year written) replaces the stored row instead of adding a second one."""
    db = tmp_path / "data" / "fupin.duckdb"
    head = ["户编号", "措施类别", "措施内容", "实施年度", "开始日期", "金额(元)"]
    load_files([write_csv(tmp_path / "a.csv", [head, ["H001", "产业帮扶", "养羊", "", "2019-05-01", "待核实"]])],
               db=db)
    v21 = ("md5(concat_ws('|', household_id, category, coalesce(content, ''), coalesce(project, ''), '', "
           "start_date::VARCHAR, coalesce(amount_yuan::VARCHAR, ''), coalesce(status, ''), "
           "coalesce(responsible_unit, '')))")
    make_previous_version(
        db, f"UPDATE data_issues SET record_key = (SELECT {v21} FROM interventions) WHERE table_name = 'interventions'",
        f"UPDATE interventions SET record_key = {v21}", version="21")
    report = load_files([write_csv(tmp_path / "b.csv", [head, ["H001", "产业帮扶", "养羊", "2019", "2019-05-01",
                                                              "待核实"]])], db=db)
    assert report.upgraded is not None
    con, _ = snapshot.connect_read(db)
    try:
        assert con.execute("SELECT year, amount_yuan FROM interventions").fetchall() == [(2019, None)]
        assert con.execute("SELECT rule, record_key = (SELECT record_key FROM interventions) FROM data_issues "
                           "WHERE table_name = 'interventions'").fetchall() == [("not_a_number", True)]
    finally:
        con.close()


def test_version_28_households_get_their_identification_year(tmp_path: Path) -> None:
    """Version 29 keeps a 识别年度 of its own (households.identified_year): the upgrade gives each stored
    household its 识别时间's year, and one stored without a date (`2014年`) the year its raw value, kept by
    its `invalid_date` issue, gives."""
    db = tmp_path / "data" / "fupin.duckdb"
    head = ["乡(镇)", "行政村", "户编号", "姓名", "证件号码", "与户主关系", "脱贫属性", "主要致贫原因", "首次识别时间"]
    a, b, c = (pid(birth, seq) for birth, seq in (("19500101", "001"), ("19520202", "002"), ("19800303", "003")))
    load_files([write_csv(tmp_path / "a.csv", [head, ["乌加河镇", "联丰奋斗村", "H1", "张三", a, "户主", "未脱贫", "因病", "2014年"],
                                               ["乌加河镇", "联丰奋斗村", "H2", "李四", b, "户主", "未脱贫", "因病", "2016-03-01"],
                                               ["乌加河镇", "联丰奋斗村", "H3", "王五", c, "户主", "未脱贫", "因病", "不详"]])],
               db=db)
    make_previous_version(db, "ALTER TABLE households DROP COLUMN identified_year", version="28")
    p = run_cli("rebuild", "--db", str(db))
    assert p.returncode == 0, p.stderr
    con, _ = snapshot.connect_read(db)
    try:
        assert con.execute("SELECT household_id, identified_year FROM hh_facts ORDER BY 1").fetchall() == [
            ("H1", 2014), ("H2", 2016), ("H3", None)]
    finally:
        con.close()
