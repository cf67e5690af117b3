"""Findings of a probe recomputing a new county's figures from its input files (probe B, 2026-12-07):
each test loads real files into a real DuckDB and checks a figure a leader sees."""

from __future__ import annotations

from pathlib import Path

from etl import snapshot
from etl.load import load_files
from queries import health
from queries.filters import Filters, Viewer
from tests.test_load import pid, write_csv

HEAD = ["乡(镇)", "行政村", "户编号", "姓名", "证件号码", "与户主关系", "家庭人口", "脱贫属性", "主要致贫原因",
        "人均纯收入", "收入年度"]
CLAIMS = ["户编号", "姓名", "入院日期", "总费用", "基本医保报销", "个人自付"]


def test_the_risk_list_compares_the_out_of_pocket_in_yuan_and_fen(tmp_path: Path) -> None:
    """One-person households at 4,000 yuan a year: the warning line (50% of income) is 2,000.00. H1 paid
    2,000.40 out of pocket in 2020, over the line; H2 paid 1,999.60, under it. The household-year's
    out-of-pocket was stored rounded to the yuan (2,000), so H1 was not over 2,000 and the tile
    返贫风险户 read 0; a total of 1,999.60 rounded to 2,000 would have been as wrong the other way at a
    line of 1,999.70."""
    db = tmp_path / "data" / "fupin.duckdb"
    a, b = pid("19500101", "001"), pid("19520202", "002")
    load_files([write_csv(tmp_path / "reg.csv", [HEAD,
                                                 ["甲镇", "一村", "H1", "张一", a, "户主", "1", "未脱贫", "因病", "4000", "2020"],
                                                 ["甲镇", "一村", "H2", "张二", b, "户主", "1", "未脱贫", "因病", "4000", "2020"]]),
                write_csv(tmp_path / "claims.csv", [CLAIMS, ["H1", "张一", "2020-05-01", "10000", "7999.60", "2000.40"],
                                                    ["H2", "张二", "2020-05-01", "10000", "8000.40", "1999.60"]])], db=db)
    con, _ = snapshot.connect_read(db)
    try:
        risks = health.oop_risks(con, Filters(), Viewer(), year=2020)
        assert risks["household_id"].tolist() == ["H1"], risks
        assert risks["out_of_pocket"].tolist() == [2000.4]
        assert risks["oop_income_ratio"].round(6).tolist() == [0.5001]
        line = health.oop_risks(con, Filters(), Viewer(), year=2020, fixed_amount=1999.7)
        assert line["household_id"].tolist() == ["H1"], line
    finally:
        con.close()


def test_a_check_found_by_its_id_number_carries_its_own_household_number_to_the_next_load(tmp_path: Path) -> None:
    """A check whose 户编号 (T9) is in no registry file but whose ID number is a registered member's
    (H1's) counts for H1, and T9 still takes a household key. That key was not among the keys the
    load touched, so the changeset left it out: the file the next load writes (the other snapshot,
    brought up to date by the changeset) had one household key fewer than the current one, and the
    next key it gave out was T9's in the current file (found by tests/test_incremental.py's property
    test; a probe)."""
    from tests.snapshots_equal import caught_up, differences

    db = tmp_path / "data" / "fupin.duckdb"
    a = pid("19500101", "001")
    # a few households: a load that touches most of a tiny county carries whole tables, not touched keys
    load_files([write_csv(tmp_path / "reg.csv", [HEAD, *(
        [["甲镇", "一村", f"H{i}", f"张{i}", pid(f"1950010{i}", f"00{i}"), "户主", "1", "未脱贫", "因病", "4000", "2020"]
         for i in range(1, 6)])])], db=db)
    checks = write_csv(tmp_path / "checks.csv", [
        ["调查日期", "乡(镇)", "行政村", "户编号", "户主姓名", "证件号码", "户类型", "家庭人口", "核查结论", "是否认可"],
        ["2020-06-23", "甲镇", "一村", "T9", "", a, "一般农户", "1", "正常", "认可"]])
    load_files([checks], db=db)
    work = tmp_path / "work"
    work.mkdir()
    assert differences(*caught_up(db, work / "other.duckdb")) == {}
