"""Findings of a probe that set the load's data issues beside the dashboard's figures (data-spec §2, §3):
each test writes its files in tmp_path, loads them through the real loader into a real DuckDB file and
reads the issue and the figure."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from etl.load import load_files
from etl.messages import issue_text
from etl.rules import POVERTY_LINE
from etl.snapshot import connect_read
from labels import t
from queries import exits, quality
from queries.filters import Filters, Viewer
from tests.test_unseen_exports import write_csv

ALL, V = Filters(), Viewer()
REGISTRY_HEADER = ["乡(镇)", "行政村", "户编号", "姓名", "与户主关系", "证件号码", "主要致贫原因", "脱贫属性", "脱贫年度",
                   "人均纯收入", "收入年度"]


def loaded(tmp_path: Path, *files: tuple[str, list[list[str]]]) -> duckdb.DuckDBPyConnection:
    """`files` (name, rows) loaded in that order into a new database; a read connection."""
    db = tmp_path / "fupin.duckdb"
    paths = [write_csv(tmp_path / name, rows) for name, rows in files]
    report = load_files(paths, db=db)
    assert report.exit_code == 0, [f.error for f in report.files]
    return connect_read(db)[0]


def test_an_exit_below_its_exit_year_s_line_with_no_income_year_is_a_suspected_wrong_exit(tmp_path: Path) -> None:
    """Exited in 2019 with 3,000 yuan and a blank 收入年度: the load flagged exit_income_below_line (the
    2019 line, 3,218) while the 疑似错退 figures judged the income by its income year alone, found no line
    and did not count the household. Both now judge it by one rule (etl.sqlexpr.income_line_year_sql)."""
    income = POVERTY_LINE[2019] - 218
    assert POVERTY_LINE[2018] < income < POVERTY_LINE[2019]  # below the exit year's line only
    con = loaded(tmp_path, ("registry.csv", [
        REGISTRY_HEADER,
        ["乌加河镇", "联丰奋斗村", "P001", "王大山", "户主", "150824195001010113", "因病", "已脱贫", "2019", str(income), ""],
        # above the line: neither an issue nor a suspected wrong exit
        ["乌加河镇", "联丰奋斗村", "P002", "赵小河", "户主", "150824197005050314", "因残", "已脱贫", "2019", "5000", ""],
        # returned to poverty: its exit year does not date its income
        ["乌加河镇", "联丰奋斗村", "P003", "李小兰", "户主", "150824198003030324", "因学", "返贫", "2019", "3000", ""],
        # neither year: judged by the lowest line (exit_without_year says what is missing): 3,000 is not
        # below it, 2,000 is below every year's line
        ["乌加河镇", "联丰奋斗村", "P004", "孙大海", "户主", "150824196002020112", "因病", "已脱贫", "", "3000", ""],
        ["乌加河镇", "联丰奋斗村", "P005", "周小草", "户主", "150824196004040128", "因病", "已脱贫", "", "2000", ""],
    ]))
    issues = con.execute("SELECT household_id FROM data_issues WHERE rule = 'exit_income_below_line'").fetchall()
    assert issues == [("P001",), ("P005",)]
    wrong = exits.wrong_exits(con, ALL, V).set_index("township")
    assert wrong.loc["乌加河镇", "exited"] == 4
    assert wrong.loc["乌加河镇", "wrong_exits"] == 2 and wrong.loc["乌加河镇", "below_line"] == 2
    facts = con.execute("SELECT household_id, poverty_line, income_below_line, suspected_wrong_exit FROM hh_facts "
                        "ORDER BY 1").fetchall()
    assert facts == [("P001", POVERTY_LINE[2019], True, True), ("P002", POVERTY_LINE[2019], False, False),
                     ("P003", POVERTY_LINE[2014], False, False), ("P004", POVERTY_LINE[2014], False, False),
                     ("P005", POVERTY_LINE[2014], True, True)]


RECT_HEADER = ["问题编号", "发现日期", "乡(镇)", "行政村", "户编号", "问题描述", "整改时限", "整改状态", "完成日期"]


def test_an_item_completed_before_it_was_found_is_loaded_with_an_issue(tmp_path: Path) -> None:
    """完成日期 2020/5/20 before 发现日期 2020-06-01 raised no data issue: a date one of the two got wrong,
    an archive defect (data-spec §3). The item loads as written, with completed_before_found on its
    完成日期; an item completed the day it was found is fine, and a status update without 发现日期 is
    judged against the stored one."""
    registry = [REGISTRY_HEADER[:9],
                ["乌加河镇", "联丰奋斗村", "P001", "王大山", "户主", "150824195001010113", "因病", "已脱贫", "2019"]]
    con = loaded(tmp_path, ("registry.csv", registry), ("rect.csv", [
        RECT_HEADER,
        ["R-1", "2020-06-01", "乌加河镇", "联丰奋斗村", "P001", "档案缺页", "2020-06-10", "已整改", "2020/5/20"],
        ["R-2", "2020-06-01", "乌加河镇", "联丰奋斗村", "P001", "手册未更新", "2020-06-10", "已整改", "2020-06-01"],
    ]), ("status.csv", [
        ["问题编号", "乡(镇)", "问题描述", "整改状态", "完成日期"], ["R-2", "乌加河镇", "手册未更新", "已销号", "2020.5.30"]]))
    assert con.execute("SELECT issue_id, completed_date FROM rectifications ORDER BY 1").fetchall() == [
        ("R-1", date(2020, 5, 20)), ("R-2", date(2020, 5, 30))]
    assert con.execute("SELECT count(*) FROM rejected_rows").fetchone() == (0,)
    issues = con.execute("SELECT file_name, line, record_key, household_id, field, raw_value FROM data_issues "
                         "WHERE rule = 'completed_before_found' ORDER BY 1").fetchall()
    keys = dict(con.execute("SELECT issue_id, record_key FROM rectifications").fetchall())
    assert issues == [("rect.csv", 2, keys["R-1"], "P001", "completed_date", "2020/5/20"),
                      ("status.csv", 2, keys["R-2"], "P001", "completed_date", "2020.5.30")]
    by_rule = quality.issues_by_rule(con, ALL, V).set_index("rule")
    assert by_rule.loc["completed_before_found", "issues"] == 2
    zh = issue_text("completed_before_found", file="rect.csv", line=2, field="completed_date", value="2020/5/20",
                    table="rectifications")
    assert zh.startswith("rect.csv 第2行「完成日期」值「2020/5/20」") and "发现日期" in zh
    en = issue_text("completed_before_found", file="rect.csv", line=2, field="completed_date", value="2020/5/20",
                    table="rectifications", lang="en")
    assert en.startswith("rect.csv line 2, 'Completed on (完成日期)' = '2020/5/20'") and "found" in en
    assert t("rulename.completed_before_found") != "rulename.completed_before_found"
    assert "`completed_before_found`" in (Path(__file__).parents[1] / "docs" / "DATA.md").read_text(encoding="utf-8")


def test_an_item_due_before_it_was_found_is_loaded_with_an_issue(tmp_path: Path) -> None:
    """整改时限 2020-05-01 before 发现日期 2020-06-01 is a date one of the two got wrong (an item overdue the
    day it was found): loaded as written, with deadline_before_found on its 整改时限. 立行立改 (due the
    day it was found) is fine; a later file with the deadline corrected takes the issue away."""
    registry = [REGISTRY_HEADER[:9],
                ["乌加河镇", "联丰奋斗村", "P001", "王大山", "户主", "150824195001010113", "因病", "已脱贫", "2019"]]
    rows = [RECT_HEADER,
            ["R-1", "2020-06-01", "乌加河镇", "联丰奋斗村", "P001", "档案缺页", "2020/5/1", "未整改", ""],
            ["R-2", "2020-06-01", "乌加河镇", "联丰奋斗村", "P001", "手册未更新", "立行立改", "已整改", "2020-06-01"]]
    con = loaded(tmp_path, ("registry.csv", registry), ("rect.csv", rows))
    issues = con.execute("SELECT file_name, line, field, raw_value FROM data_issues "
                         "WHERE rule = 'deadline_before_found'").fetchall()
    assert issues == [("rect.csv", 2, "deadline", "2020/5/1")]
    assert con.execute("SELECT issue_id, deadline FROM rectifications ORDER BY 1").fetchall() == [
        ("R-1", date(2020, 5, 1)), ("R-2", date(2020, 6, 1))]
    con.close()
    fixed = [RECT_HEADER, ["R-1", "2020-06-01", "乌加河镇", "联丰奋斗村", "P001", "档案缺页", "2020-07-01", "未整改", ""]]
    (tmp_path / "again").mkdir()
    con = loaded(tmp_path / "again", ("registry.csv", registry), ("rect.csv", rows), ("fixed.csv", fixed))
    assert con.execute("SELECT count(*) FROM data_issues WHERE rule = 'deadline_before_found'").fetchone() == (0,)
    zh = issue_text("deadline_before_found", file="rect.csv", line=2, field="deadline", value="2020/5/1",
                    table="rectifications")
    assert zh.startswith("rect.csv 第2行「整改时限」值「2020/5/1」") and "发现日期" in zh
    assert "`deadline_before_found`" in (Path(__file__).parents[1] / "docs" / "DATA.md").read_text(encoding="utf-8")
