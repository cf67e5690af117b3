"""Cells that say "nothing here" the way Chinese ledgers write them (`-`, `—`, `/`, 无, 暂无) and the
rectification statuses ledgers write beside the contract's: found by a probe with unseen ledgers. Real
files through the real loader into a real DuckDB file."""

from __future__ import annotations

from pathlib import Path

import duckdb

from etl.load import load_files
from etl.snapshot import connect_read
from tests.test_unseen_exports import write_csv

REGISTRY_HEADER = ["乡(镇)", "行政村", "户编号", "姓名", "与户主关系", "证件号码", "主要致贫原因", "脱贫属性",
                   "脱贫年度", "人均纯收入", "监测对象类别", "是否签约家庭医生"]


def load(tmp_path: Path, *files: tuple[str, list[list[str]]]) -> duckdb.DuckDBPyConnection:
    db = tmp_path / "fupin.duckdb"
    report = load_files([write_csv(tmp_path / name, rows) for name, rows in files], db=db)
    assert report.exit_code == 0, [f.error for f in report.files]
    return connect_read(db)[0]


def issues(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
    return con.execute("SELECT rule, field, raw_value FROM data_issues ORDER BY ALL").fetchall()


def test_a_dash_slash_or_none_in_a_typed_cell_is_blank_not_an_issue(tmp_path: Path) -> None:
    """Before: `-` in 人均纯收入 was not_a_number, `/` in 监测对象类别 and `—` in a yes/no were unknown
    values: one issue per empty cell of a ledger that marks its empty cells. 无 stays 否 in a yes/no."""
    con = load(tmp_path, ("registry.csv", [
        REGISTRY_HEADER,
        ["乌加河镇", "联丰奋斗村", "P001", "王大山", "户主", "150824195001010113", "因病", "未脱贫", "/", "-", "/", "—"],
        ["乌加河镇", "联丰奋斗村", "P002", "赵小河", "户主", "150824197005050314", "因残", "未脱贫", "——", "暂无", "－",
         "无"],
    ]), ("claims.csv", [
        ["户编号", "证件号码", "入院日期", "医疗机构", "总费用", "基本医保报销", "大病保险报销", "医疗救助", "其他保障", "个人自付"],
        ["P001", "150824195001010113", "2020-03-01", "旗医院", "1000", "600", "-", "/", "—", "400"],
    ]))
    assert issues(con) == []
    assert con.execute("SELECT household_id, income_per_capita, monitoring_type FROM households ORDER BY 1").fetchall() == [
        ("P001", None, None), ("P002", None, None)]
    assert con.execute("SELECT family_doctor_signed FROM members ORDER BY household_id").fetchall() == [(None,), (False,)]
    assert con.execute("SELECT critical_illness_insurance, medical_assistance, other_support "
                       "FROM medical_claims").fetchall() == [(None, None, None)]


def test_a_value_with_a_dash_inside_is_still_judged(tmp_path: Path) -> None:
    """Only a cell of dashes or slashes alone is blank: `1-2` is no number and `-5` a negative amount."""
    con = load(tmp_path, ("registry.csv", [
        REGISTRY_HEADER,
        ["乌加河镇", "联丰奋斗村", "P001", "王大山", "户主", "150824195001010113", "因病", "未脱贫", "", "1-2", "", ""],
    ]), ("claims.csv", [
        ["户编号", "证件号码", "入院日期", "医疗机构", "总费用", "基本医保报销", "个人自付"],
        ["P001", "150824195001010113", "2020-03-01", "旗医院", "1000", "-5", "1000"],
    ]))
    assert issues(con) == [("negative_amount", "basic_insurance", "-5"), ("not_a_number", "income_per_capita", "1-2")]


def test_a_village_written_as_a_slash_is_no_village(tmp_path: Path) -> None:
    """A township-level item with `/` in 行政村 and 户编号 was filed under a village named `/` and a
    household `/` outside the registry; a registry row with `-` for its village was a household of village
    `-`, and is now rejected as having no village."""
    con = load(tmp_path, ("registry.csv", [
        REGISTRY_HEADER,
        ["乌加河镇", "联丰奋斗村", "P001", "王大山", "户主", "150824195001010113", "因病", "未脱贫", "", "", "", ""],
        ["乌加河镇", "-", "P009", "钱多多", "户主", "150824197005050314", "因残", "未脱贫", "", "", "", ""],
    ]), ("rect.csv", [
        ["问题编号", "问题来源", "发现日期", "乡(镇)", "行政村", "户编号", "问题类别", "问题描述", "整改时限", "整改状态"],
        ["R1", "自查", "2020-06-01", "乌加河镇", "/", "/", "其他", "乡镇台账不全", "2020-07-01", "整改中"],
    ]))
    assert con.execute("SELECT DISTINCT village FROM households").fetchall() == [("联丰奋斗村",)]
    assert con.execute("SELECT rule FROM rejected_rows").fetchall() == [("no_village",)]
    assert con.execute("SELECT township, village, household_id FROM rectifications").fetchall() == [
        ("乌加河镇", None, None)]


def test_the_completion_words_of_real_ledgers_are_statuses(tmp_path: Path) -> None:
    """已完成整改 and 完成 were unknown, stored blank and so counted open (and overdue past the deadline)."""
    rows = [["问题编号", "问题来源", "发现日期", "乡(镇)", "问题类别", "问题描述", "整改时限", "整改状态"]]
    words = {"R1": "已完成整改", "R2": "完成", "R3": "整改完毕", "R4": "未完成", "R5": "整改中（未完成）", "R6": "销账"}
    rows += [[k, "自查", "2020-06-01", "乌加河镇", "其他", "台账不全", "2020-07-01", v] for k, v in words.items()]
    con = load(tmp_path, ("rect.csv", rows))
    assert issues(con) == []
    assert dict(con.execute("SELECT issue_id, status FROM rectifications").fetchall()) == {
        "R1": "已整改", "R2": "已整改", "R3": "已整改", "R4": "未整改", "R5": "整改中", "R6": "已销号"}
