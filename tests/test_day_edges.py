"""Figures at the edge of a day window, from a probe that computed each figure by hand from its written
definition (the inspection pages' rules texts and the indicator dictionary): each test writes its files
in tmp_path, loads them through the real loader into a real DuckDB file and reads the query layer."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from etl import snapshot
from queries import quality, visits
from queries.filters import Filters, Viewer
from queries.meta import data_as_of
from tests.conftest import load_lines

REGISTRY = "乡(镇),行政村,户编号,人编号,姓名,证件号码,与户主关系,人数,脱贫属性,脱贫年度,主要致贫原因"
VISITS = "户编号,走访日期,走访类型,走访人"


def test_a_visit_exactly_30_days_ago_is_within_30_days_on_both_pages(tmp_path: Path) -> None:
    # as of 2020-06-30 (the latest visit, H0's): H30 was visited exactly 30 days before, H31 31 days
    # before. The visit planner flags "no visit in 30 days" only for H31 (more than 30 days); the archive
    # check "参考日期前 30 天内有走访记录" failed H30 too, so one household was visited within 30 days on
    # one page and not on the other
    db, report = load_lines(tmp_path, {
        "reg.csv": [REGISTRY, *(f"乌加河镇,红旗村,{h},1,张{h},,户主,1,已脱贫,2019,因病" for h in ("H0", "H30", "H31"))],
        "visits.csv": [VISITS, "H0,2020-06-30,入户走访,李四", "H30,2020-05-31,入户走访,李四",
                       "H31,2020-05-30,入户走访,李四"],
    })
    assert report.exit_code == 0
    con, _ = snapshot.connect_read(db)
    try:
        as_of = data_as_of(con)
        assert as_of == date(2020, 6, 30)
        flt, viewer = Filters(), Viewer()
        planner = visits.visit_list(con, flt, viewer, as_of, include_zero=True).set_index("household_id")
        assert planner["r_no_recent_visit"].to_dict() == {"H0": False, "H30": False, "H31": True}
        town = quality.completeness(con, flt, viewer, as_of).iloc[0]
        assert (town["req_visit"], town["ok_visit"]) == (3, 2)
        for stored_as_of in (as_of, None):  # the stored list with the dated checks added, and the computed one
            listed = quality.defects_query(flt, viewer, as_of, stored_as_of=stored_as_of).page(con, None)
            failed = listed[(listed["defect_source"] == "check") & (listed["rule"] == "visit")]
            assert list(failed["household_id"]) == ["H31"], stored_as_of
        # a day later H30 is 31 days back: both say so
        later = date(2020, 7, 1)
        assert visits.visit_list(con, flt, viewer, later, include_zero=True).set_index(
            "household_id").loc["H30", "r_no_recent_visit"]
        assert quality.completeness(con, flt, viewer, later).iloc[0]["ok_visit"] == 1
    finally:
        con.close()
