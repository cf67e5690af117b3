"""Dates and years as a county's exports write them, checked against data-spec §1 and §3 by hand: each test
writes its files in tmp_path, loads them through the real loader into a real DuckDB file and reads what
was stored, the issues raised and the figures that depend on the dates."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from etl import snapshot
from etl.messages import issue_text
from queries import rectification
from queries.filters import Filters, Viewer, options
from queries.meta import data_as_of
from tests.conftest import load_lines

REGISTRY = "乡(镇),行政村,户编号,人编号,姓名,证件号码,与户主关系,人数,脱贫属性,脱贫年度,主要致贫原因"


def _household(hid: str, exit_year: str) -> str:
    return f"乌加河镇,红旗村,{hid},1,张{hid},,户主,1,已脱贫,{exit_year},因病"


def test_an_exit_year_before_registration_began_is_no_exit_year(tmp_path: Path) -> None:
    # 建档立卡 began in 2014: 脱贫年度 1900 (a system's placeholder, or 1900-01-01 read as its year) and 2013
    # were stored as exit years without an issue, and the exit-year filter's slider ran from 1900
    db, report = load_lines(tmp_path, {"reg.csv": [
        REGISTRY, _household("H1", "2016"), _household("H2", "1900"), _household("H3", "2013"),
        _household("H4", "1900-01-01"), _household("H5", "2014")]})
    assert report.exit_code == 0
    early = [(f.line, f.value) for f in report.files[0].findings if f.rule == "date_too_early"]
    assert early == [(3, "1900"), (4, "2013"), (5, "1900-01-01")]
    text = issue_text("date_too_early", file="reg.csv", line=3, field="exit_year", value="1900")
    assert text.startswith("reg.csv 第3行「脱贫年度」值「1900」早于 2014 年") and "按未填写计" in text
    assert "is before 2014," in issue_text("date_too_early", file="reg.csv", line=3, field="exit_year", value="1900", lang="en")
    con, _ = snapshot.connect_read(db)
    try:
        stored = dict(con.execute("SELECT household_id, exit_year FROM households").fetchall())
        assert stored == {"H1": 2016, "H2": None, "H3": None, "H4": None, "H5": 2014}
        assert options(con, Viewer()).years("exit_years") == (2014, 2016)
    finally:
        con.close()


def test_an_exit_year_after_2020_is_flagged_and_does_not_date_the_data(tmp_path: Path) -> None:
    # a mid-2020 county (latest visit 2020-06-30) with one household's 脱贫年度 2022 (no household exited
    # after 2020): the data was dated 2022-12-31, and the item due 2020-07-15 read two years overdue
    db, report = load_lines(tmp_path, {
        "reg.csv": [REGISTRY, _household("H1", "2019"), _household("H2", "2022")],
        "visits.csv": ["户编号,走访日期,走访类型,走访人", "H1,2020-06-30,入户走访,李四"],
        "rect.csv": ["问题编号,发现日期,乡(镇),行政村,户编号,问题类别,问题描述,整改时限,整改状态",
                     "R1,2020-06-01,乌加河镇,红旗村,H1,其他,档案不全,2020-07-15,整改中"],
    })
    assert report.exit_code == 0
    flagged = [(f.rule, f.line, f.value) for f in report.files[0].findings if f.rule == "exit_after_campaign"]
    assert flagged == [("exit_after_campaign", 3, "2022")]
    text = issue_text("exit_after_campaign", file="reg.csv", line=3, field="exit_year", value="2022")
    assert text.startswith("reg.csv 第3行「脱贫年度」值「2022」晚于 2020 年")
    con, _ = snapshot.connect_read(db)
    try:
        assert con.execute("SELECT exit_year FROM households WHERE household_id = 'H2'").fetchone() == (2022,)
        as_of = data_as_of(con)
        assert as_of == date(2020, 6, 30)
        items = rectification.ledger(con, Filters(), Viewer(), as_of)
        assert items["overdue"].tolist() == [False]
    finally:
        con.close()


def test_a_date_that_names_no_day_is_told_so(tmp_path: Path) -> None:
    # 2023-02-29 and 2024-13-01 are written in an accepted shape: "不是可识别的日期。可接受如 2020-06-22" left
    # the clerk who wrote them not knowing what was wrong; a date of no shape keeps that message
    db, report = load_lines(tmp_path, {
        "reg.csv": [REGISTRY, _household("H1", "2019")],
        "visits.csv": ["户编号,走访日期,走访类型,走访人,情况记录", "H1,2023-02-29,入户走访,李四,一",
                       "H1,20241301,入户走访,李四,二", "H1,2024年6月31日,入户走访,李四,三", "H1,上周二,入户走访,李四,四",
                       "H1,2024-02-29,入户走访,李四,五"],
    })
    visits = report.files[1]
    invalid = [f for f in visits.findings if f.rule == "invalid_date"]
    assert [f.value for f in invalid] == ["2023-02-29", "20241301", "2024年6月31日", "上周二"]
    texts = [issue_text(f.rule, file="visits.csv", line=f.line, field=f.field, value=f.value, table=f.table)
             for f in invalid]
    assert all("写成了日期，但没有这一天" in x and "按未填写计" in x for x in texts[:3]), texts
    assert "不是可识别的日期" in texts[3]
    en = issue_text("invalid_date", file="visits.csv", line=2, field="visit_date", value="2023-02-29", table="visits",
                    lang="en")
    assert "there is no such day" in en
    con, _ = snapshot.connect_read(db)
    try:  # none of them was shifted to a neighbouring day; the leap day is one
        dates = [r[0] for r in con.execute("SELECT visit_date FROM visits ORDER BY source_line").fetchall()]
        assert dates == [None, None, None, None, date(2024, 2, 29)]
    finally:
        con.close()


def test_a_date_without_its_day_is_told_so_and_keeps_its_year_where_one_is_used(tmp_path: Path) -> None:
    # 首次识别时间 2016年3月 and 2015 are no dates (the day is not guessed) but their years are the households'
    # 识别年度; a visit of 2020.6 has no year to keep. The message said "不是可识别的日期。可接受如 2020-06-22",
    # as for a word, and not that the day was missing
    db, report = load_lines(tmp_path, {
        "reg.csv": [REGISTRY + ",首次识别时间", _household("H1", "2019") + ",2016年3月", _household("H2", "2019") + ",2015",
                    _household("H3", "2019") + ",不详"],
        "visits.csv": ["户编号,走访日期,走访类型,走访人", "H1,2020.6,入户走访,李四"],
    })
    registry, visits = report.files
    invalid = {f.value for f in registry.findings + visits.findings if f.rule == "invalid_date"}
    assert invalid == {"2016年3月", "2015", "不详", "2020.6"}

    def text(value: str, table: str, field: str) -> str:
        return issue_text("invalid_date", file="f.csv", line=2, field=field, value=value, table=table)

    assert "只写到年或月，没有具体日子" in text("2016年3月", "households", "identified_date")
    assert "年份照常使用" in text("2015", "households", "identified_date")
    assert "只写到年或月" in text("2020.6", "visits", "visit_date")
    assert "年份照常使用" not in text("2020.6", "visits", "visit_date")
    assert "不是可识别的日期" in text("不详", "households", "identified_date")
    con, _ = snapshot.connect_read(db)
    try:
        rows = con.execute("SELECT household_id, identified_date, identified_year FROM households ORDER BY 1").fetchall()
        assert rows == [("H1", None, 2016), ("H2", None, 2015), ("H3", None, None)]
    finally:
        con.close()


def test_an_exit_before_the_household_was_identified_is_an_archive_defect(tmp_path: Path) -> None:
    # 脱贫年度 2015 with 首次识别时间 2016-05-01 (or 2016年5月: its year) cannot both be right; an exit in the
    # year identified can. A later file without 首次识别时间 is judged with the stored date
    header = REGISTRY + ",首次识别时间"
    db, report = load_lines(tmp_path, {
        "reg.csv": [header, _household("H1", "2015") + ",2016-05-01", _household("H2", "2016") + ",2016-05-01",
                    _household("H3", "2015") + ",2016年5月", _household("H4", "2017") + ",2014-10-01"],
        "update.csv": [REGISTRY, _household("H2", "2015"), _household("H4", "2018")],
    })
    first, update = report.files
    assert [(f.record, f.value) for f in first.findings if f.rule == "exit_before_identified"] == \
        [("H1", "2015"), ("H3", "2015")]
    assert [(f.record, f.value) for f in update.findings if f.rule == "exit_before_identified"] == [("H2", "2015")]
    text = issue_text("exit_before_identified", file="reg.csv", line=2, field="exit_year", value="2015", record="H1")
    assert text == ("reg.csv 第2行：户编号「H1」的「脱贫年度」为 2015 年，早于其首次识别时间的年份。户不能在识别之前脱贫；"
                    "请核对脱贫年度和首次识别时间。")
    con, _ = snapshot.connect_read(db)
    try:
        flagged = con.execute("SELECT household_id FROM data_issues WHERE rule = 'exit_before_identified' "
                              "ORDER BY 1").fetchall()
        assert flagged == [("H1",), ("H2",), ("H3",)]
    finally:
        con.close()
