"""A ledger row keyed by its fields (data-spec §5) keeps what the file wrote where a value could not be
read (`unread_text`), and keys by it: rows that differ only there are records of their own.

Six visits of one household dated `2020年1月`…`6月` (no day, so no date: `invalid_date`) were one record,
the last, while the load's summary said six were loaded (the dates probe, 2026-12-07)."""

from __future__ import annotations

import json
from pathlib import Path

from etl import schema, snapshot
from etl.load import ledger_key_sql, load_files, schema_version
from tests.test_load import run_cli, write_csv
from tests.test_upgrade import make_previous_version

VISITS = ["户编号", "走访日期", "走访类型", "走访人", "情况记录"]
MONTHS = [["H001", f"2020年{m}月", "入户走访", "王芳", "了解情况"] for m in range(1, 7)]


def rows(db: Path, sql: str) -> list[tuple]:
    con, _ = snapshot.connect_read(db)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_visits_dated_only_by_month_are_six_records_each_with_its_issue(tmp_path: Path) -> None:
    db = tmp_path / "data" / "fupin.duckdb"
    report = load_files([write_csv(tmp_path / "v.csv", [VISITS, *MONTHS])], db=db)
    assert report.files[0].rows_loaded == 6
    stored = rows(db, "SELECT source_line, visit_date, unread_text FROM visits ORDER BY source_line")
    assert [(line, date, json.loads(text)) for line, date, text in stored] == [
        (m + 1, None, {"visit_date": f"2020年{m}月"}) for m in range(1, 7)]
    assert rows(db, "SELECT count(DISTINCT record_key) FROM visits") == [(6,)]
    # each row's issue names its own record
    assert rows(db, """SELECT count(*) FROM data_issues d JOIN visits v USING (record_key)
                       WHERE d.rule = 'invalid_date' AND d.line = v.source_line""") == [(6,)]


def test_a_clean_row_keys_as_before_and_an_unread_text_apart(tmp_path: Path) -> None:
    """Stored keys stay valid: a row without unread text keys as it always did (the md5 of its fields)."""
    db = tmp_path / "data" / "fupin.duckdb"
    load_files([write_csv(tmp_path / "v.csv", [VISITS, ["H001", "2020-05-01", "入户走访", "王芳", "了解情况"],
                                               ["H001", "2020年5月", "入户走访", "王芳", "了解情况"]])], db=db)
    got = dict(rows(db, "SELECT visit_date IS NULL, record_key FROM visits"))
    plain = rows(db, "SELECT md5('H001|2020-05-01|入户走访|王芳|了解情况'), md5('H001||入户走访|王芳|了解情况')")[0]
    assert got[False] == plain[0]
    assert got[True] not in plain


def test_the_same_file_again_and_a_file_without_a_column_add_nothing(tmp_path: Path) -> None:
    """Loaded again: the six records, unchanged. A file that lacks 情况记录 and lists the visits again
    repeats each one (it agrees with the stored record of its own month, not with the first of the six)."""
    db = tmp_path / "data" / "fupin.duckdb"
    first = write_csv(tmp_path / "v.csv", [VISITS, *MONTHS])
    load_files([first], db=db)
    keys = rows(db, "SELECT record_key, notes FROM visits ORDER BY 1")
    load_files([first], db=db)
    assert rows(db, "SELECT record_key, notes FROM visits ORDER BY 1") == keys
    short = write_csv(tmp_path / "short.csv", [VISITS[:4], *(r[:4] for r in MONTHS)])
    assert load_files([short], db=db).files[0].rows_loaded == 6
    assert rows(db, "SELECT record_key, notes FROM visits ORDER BY 1") == keys


def test_claims_and_measures_apart_only_in_unread_values_are_records_of_their_own(tmp_path: Path) -> None:
    db = tmp_path / "data" / "fupin.duckdb"
    claims = ["户编号", "入院日期", "医疗机构", "总费用", "个人自付"]
    measures = ["户编号", "措施类别", "措施内容", "实施年度", "开始日期", "金额(元)"]
    load_files([write_csv(tmp_path / "c.csv", [claims, ["H001", "2020-03-01", "旗医院", "约3000", "300"],
                                               ["H001", "2020-03-01", "旗医院", "约5000", "300"]]),
                write_csv(tmp_path / "m.csv", [measures, ["H001", "产业帮扶", "养羊", "", "2019年5月", "2000"],
                                               ["H001", "产业帮扶", "养羊", "", "2019年8月", "2000"]])], db=db)
    assert rows(db, "SELECT count(*), count(DISTINCT unread_text) FROM medical_claims") == [(2, 2)]
    # both measures keep the year their 开始日期 gives, and stay two
    assert rows(db, "SELECT year, count(*) FROM interventions GROUP BY year") == [(2019, 2)]


def test_a_rebuild_keeps_the_keys(tmp_path: Path) -> None:
    db = tmp_path / "data" / "fupin.duckdb"
    load_files([write_csv(tmp_path / "v.csv", [VISITS, *MONTHS])], db=db)
    before = rows(db, "SELECT record_key, unread_text FROM visits ORDER BY 1")
    p = run_cli("rebuild", "--db", str(db))
    assert p.returncode == 0, p.stderr
    assert rows(db, "SELECT record_key, unread_text FROM visits ORDER BY 1") == before
    assert rows(db, f"SELECT count(*) FROM visits WHERE record_key <> {ledger_key_sql('visits')}") == [(0,)]


def test_version_29_keeps_its_one_row_keyed_by_its_text_and_the_file_loads_again(tmp_path: Path) -> None:
    """What version 29 left: the last of the six, keyed without its date's text, the column absent. The
    upgrade gives that row its text (from its issue) and its key, and names the file to load again; the
    file, loaded again, adds the five it lost (not taken for a file loaded already), and no sixth."""
    db = tmp_path / "data" / "fupin.duckdb"
    f = write_csv(tmp_path / "v.csv", [VISITS, *MONTHS])
    load_files([f], db=db)
    plain = "md5('H001||入户走访|王芳|了解情况')"
    make_previous_version(
        db, "DELETE FROM data_issues WHERE table_name = 'visits' AND line < 7",
        "DELETE FROM visits WHERE source_line < 7",
        f"UPDATE data_issues SET record_key = {plain} WHERE table_name = 'visits'",
        f"UPDATE visits SET record_key = {plain}",
        *(f"ALTER TABLE {t} DROP COLUMN unread_text" for t in schema.LEDGER_TABLES.values()), version="29")
    assert rows(db, "SELECT count(*) FROM visits") == [(1,)]
    report = load_files([f], db=db)
    assert report.upgraded is not None and report.upgraded.reload_files == ["v.csv"]
    assert "请再次导入" in report.upgraded.message("zh") and "v.csv" in report.upgraded.message("zh")
    assert schema_version(db) == schema.SCHEMA_VERSION
    assert report.files[0].rows_loaded == 6
    assert rows(db, "SELECT count(*), count(DISTINCT unread_text) FROM visits") == [(6, 6)]
    assert rows(db, """SELECT count(*) FROM data_issues d JOIN visits v USING (record_key)
                       WHERE d.rule = 'invalid_date'""") == [(6,)]
    again = load_files([f], db=db)  # now a file loaded already
    assert again.files[0].unchanged and rows(db, "SELECT count(*) FROM visits") == [(6,)]
