"""A negative 人均纯收入 (a season's losses, or a typing error) is kept as written, below any line
(`negative_income`, schema 31). Stored as no figure before, an exited household at -200 was neither
below the line nor 疑似错退, and the exit inspection's 错退 signal missed it. Real files, real DuckDB."""

from __future__ import annotations

from pathlib import Path

from etl import schema, snapshot
from etl.load import load_files, schema_version
from queries import exits, health
from queries.filters import Filters, Viewer
from tests.test_load import pid, run_cli, write_csv
from tests.test_load import read as rows
from tests.test_upgrade import make_previous_version

HEAD = ["乡(镇)", "行政村", "户编号", "姓名", "证件号码", "与户主关系", "家庭人口", "脱贫属性", "脱贫年度",
        "主要致贫原因", "人均纯收入", "收入年度"]
CLAIMS = ["户编号", "姓名", "入院日期", "总费用", "个人自付"]


def county(tmp_path: Path) -> Path:
    """H1 exited at -200 yuan (2020), H2 exited at 9,000, H3 not exited at -50; H1 and H2 pay out of pocket."""
    db = tmp_path / "data" / "fupin.duckdb"
    a, b, c = (pid(birth, seq) for birth, seq in (("19500101", "001"), ("19520202", "002"), ("19800303", "003")))
    load_files([write_csv(tmp_path / "reg.csv", [HEAD,
                                                 ["甲镇", "一村", "H1", "张一", a, "户主", "1", "已脱贫", "2019", "因病", "-200", "2020"],
                                                 ["甲镇", "一村", "H2", "张二", b, "户主", "1", "已脱贫", "2019", "因病", "9000", "2020"],
                                                 ["甲镇", "一村", "H3", "张三", c, "户主", "1", "未脱贫", "", "因病", "-50元", "2020"]]),
                write_csv(tmp_path / "claims.csv", [CLAIMS, ["H1", "张一", "2020-05-01", "3000", "100"],
                                                    ["H2", "张二", "2020-05-01", "30000", "5000"]])], db=db)
    return db


def test_an_exited_household_with_a_negative_income_is_below_the_line_and_suspected(tmp_path: Path) -> None:
    db = county(tmp_path)
    assert rows(db, "SELECT household_id, income_per_capita FROM households ORDER BY 1") == [
        ("H1", -200.0), ("H2", 9000.0), ("H3", -50.0)]
    assert rows(db, "SELECT household_id, income_per_capita FROM household_income ORDER BY 1") == [
        ("H1", -200.0), ("H2", 9000.0), ("H3", -50.0)]
    assert rows(db, """SELECT household_id, rule, raw_value FROM data_issues
                       WHERE field = 'income_per_capita' ORDER BY 1, 2""") == [
        ("H1", "exit_income_below_line", "-200"), ("H1", "negative_income", "-200"), ("H3", "negative_income", "-50元")]
    assert rows(db, """SELECT household_id, income_below_line, suspected_wrong_exit FROM hh_facts
                       ORDER BY 1""") == [("H1", True, True), ("H2", False, False), ("H3", True, False)]


def test_negative_incomes_share_the_bin_below_zero(tmp_path: Path) -> None:
    con, _ = snapshot.connect_read(county(tmp_path))
    try:
        # the stored cells and a computed histogram; 9,000 / 4,000 = 2.25
        for step, cap, h2 in ((0.25, 4.0, 2.25), (0.5, 3.0, 2.0)):
            hist = exits.income_histogram(con, Filters(), Viewer(), step=step, cap=cap)
            assert hist.groupby("ratio_bin")["households"].sum().to_dict() == {-step: 2, h2: 1}, hist
    finally:
        con.close()


def test_a_household_without_a_positive_income_that_pays_heads_the_risk_list(tmp_path: Path) -> None:
    con, _ = snapshot.connect_read(county(tmp_path))
    try:
        risks = health.oop_risks(con, Filters(), Viewer(), year=2020)
        # H1 pays 100 against an income below zero: no share to write, first in the list; H2 pays 5,000
        # of 9,000 (a share of 0.56)
        assert risks["household_id"].tolist() == ["H1", "H2"], risks
        assert risks["oop_income_ratio"].isna().tolist() == [True, False]
    finally:
        con.close()


def test_version_30_gets_its_negative_incomes_back(tmp_path: Path) -> None:
    """What version 30 left: the incomes blank, their issues `negative_amount`, no history row and no
    exit_income_below_line. The upgrade restores each from its issue's raw value."""
    db = county(tmp_path)
    facts = "SELECT household_id, income_per_capita, income_below_line, suspected_wrong_exit FROM hh_facts ORDER BY 1"
    issues = "SELECT household_id, rule, raw_value, batch_id, line FROM data_issues WHERE field = 'income_per_capita' ORDER BY 1, 2"
    want = rows(db, facts), rows(db, issues), rows(db, "SELECT * FROM household_income ORDER BY 1")
    make_previous_version(
        db, "UPDATE households SET income_per_capita = NULL WHERE income_per_capita < 0",
        "DELETE FROM household_income WHERE income_per_capita < 0",
        "DELETE FROM data_issues WHERE rule = 'exit_income_below_line'",
        "UPDATE data_issues SET rule = 'negative_amount' WHERE rule = 'negative_income'", version="30")
    p = run_cli("rebuild", "--db", str(db))
    assert p.returncode == 0, p.stderr
    assert schema_version(db) == schema.SCHEMA_VERSION
    assert (rows(db, facts), rows(db, issues), rows(db, "SELECT * FROM household_income ORDER BY 1")) == want


def test_a_check_s_negative_income_is_kept(tmp_path: Path) -> None:
    """The exit inspection's survey form (data-spec §1.4) writes the income it found: kept as written."""
    db = county(tmp_path)
    check = write_csv(tmp_path / "check.csv", [["调查日期", "乡(镇)", "行政村", "户编号", "户主姓名", "户类型", "人均纯收入"],
                                               ["2020-09-01", "甲镇", "一村", "H1", "张一", "脱贫户", "-300"]])
    load_files([check], db=db)
    assert rows(db, "SELECT income_per_capita FROM household_checks") == [(-300.0,)]
    assert rows(db, "SELECT rule FROM data_issues WHERE table_name = 'household_checks' "
                    "AND field = 'income_per_capita'") == [("negative_income",)]
