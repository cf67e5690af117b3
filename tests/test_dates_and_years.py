"""Dates and years as a county's exports write them, checked against data-spec §1 and §3 by hand: each test
writes its files in tmp_path, loads them through the real loader into a real DuckDB file and reads what
was stored, the issues raised and the figures that depend on the dates."""

from __future__ import annotations

from pathlib import Path

from etl import snapshot
from etl.messages import issue_text
from queries.filters import Viewer, options
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
