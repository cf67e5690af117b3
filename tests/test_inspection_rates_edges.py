"""三率一度 at its edges, found by an outside probe (2026-12-06): a place filter applied before each household's latest
check was chosen, and a figure exactly at its veto line judged over it (data-spec §1.4; docs/DECISIONS.md
"Exit inspection": lines inclusive, one check per household per period, its latest)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from etl import snapshot
from etl.inspection_rules import DEFAULT_LINES, Lines
from queries import inspection_rates as q
from queries.filters import Filters, Viewer
from tests.conftest import load_lines, open_page, serve_lines

REGISTRY = "乡(镇),行政村,户编号,人编号,姓名,证件号码,与户主关系,人数,脱贫属性,脱贫年度,主要致贫原因"
CHECKS = "调查日期,乡(镇),行政村,户编号,户主姓名,证件号码,户类型,家庭人口,核查结论,是否认可"
BASE = "年度,乡(镇),行政村,乡村户数,乡村人口"


def _db(root: Path, files: dict[str, list[str]]) -> Path:
    db, report = load_lines(root, files)
    assert report.exit_code == 0
    return db


def test_a_place_filter_takes_each_households_latest_check(tmp_path: Path) -> None:
    # 郑甲 (outside the registry) was surveyed in 乌加河镇 on 1 June (漏评, 不认可) and in 德岭山镇 on
    # 20 June: his latest check counts in 德岭山镇, in the county's table and filtered alike
    db = _db(tmp_path, {
        "reg.csv": [REGISTRY, "乌加河镇,红旗村,HA,1,张一,,户主,1,已脱贫,2019,因病",
                    "德岭山镇,兴丰村,HB,1,李一,,户主,1,已脱贫,2019,因病"],
        "checks.csv": [CHECKS, "2020-06-01,乌加河镇,红旗村,,郑甲,150824196001010345,一般农户,3,疑似漏评,不认可",
                       "2020-06-20,德岭山镇,兴丰村,,郑甲,150824196001010345,一般农户,3,正常,认可",
                       "2020-06-20,乌加河镇,红旗村,HA,张一,,脱贫户,1,正常,认可",
                       "2020-06-20,德岭山镇,兴丰村,HB,李一,,脱贫户,1,正常,认可"],
        "base.csv": [BASE, "2020,乌加河镇,红旗村,100,300", "2020,德岭山镇,兴丰村,100,300"],
    })
    con, _ = snapshot.connect_read(db)
    try:
        cols = ["checked_households", "missed_people", "nonreg_sample_people", "approved", "answered",
                "incidence_rate", "incidence_pass", "approval_pass"]
        table = q.rates(con, Filters(), Viewer(), level="township").set_index("township")
        row = table.loc["乌加河镇", cols]
        assert (row["checked_households"], row["missed_people"], row["answered"]) == (1, 0, 1)
        area = q.rates(con, Filters(townships=("乌加河镇",)), Viewer(), level="all").iloc[0][cols]
        assert area.tolist() == row.tolist()  # one figure, one verdict, whatever shows the township
        scoped = q.rates(con, Filters(), Viewer(townships=("乌加河镇",)), level="all").iloc[0]
        assert (scoped["checked_households"], scoped["missed_people"], scoped["answered"]) == (1, 0, 1)
        assert q.cases(con, Filters(townships=("乌加河镇",)), Viewer(), "missed").empty
        assert len(q.cases(con, Filters(townships=("乌加河镇",)), Viewer(), "disapproved")) == 0
    finally:
        con.close()


def test_an_incidence_exactly_at_its_line_passes(tmp_path: Path) -> None:
    # 6 exited people, 1 of the 5 surveyed found 错退, no 漏评, 40 rural people:
    # (0 + 0 × 34 + 1/5 × 6) / 40 = 3% exactly, within "综合贫困发生率 ≤ 3%"
    db = _db(tmp_path, {
        "reg.csv": [REGISTRY, *(f"乌加河镇,红旗村,HA,{i},张{i},,{'户主' if i == 1 else '子女'},4,已脱贫,2019,因病"
                                for i in range(1, 5)),
                    "乌加河镇,红旗村,HB,1,李一,,户主,1,已脱贫,2019,因病",
                    "乌加河镇,红旗村,HC,1,王一,,户主,1,已脱贫,2019,因病"],
        "checks.csv": [CHECKS, "2020-06-22,乌加河镇,红旗村,HA,张1,,脱贫户,4,正常,认可",
                       "2020-06-22,乌加河镇,红旗村,HB,李一,,脱贫户,1,错退,认可",
                       "2020-06-22,乌加河镇,红旗村,,赵五,,一般农户,1,正常,认可"],
        "base.csv": [BASE, "2020,乌加河镇,红旗村,12,40"],
    })
    con, _ = snapshot.connect_read(db)
    try:
        for level in ("all", "township", "village"):
            r = q.rates(con, Filters(), Viewer(), level=level).iloc[0]
            assert r["incidence_rate"] == pytest.approx(0.03)
            assert r["incidence_pass"] is True or r["incidence_pass"] == True  # noqa: E712 - numpy bool
            assert "incidence" not in r["failed"]
        f = q.figures(con, Filters(), Viewer()).set_index("indicator")
        assert f.loc["incidence", "passes"]
    finally:
        con.close()


def test_a_typed_line_is_inclusive() -> None:
    lines = Lines(wrong_exit=2.9 / 100)  # 0.028999999999999998, as the page divides a typed 2.9
    assert lines.passes("wrong_exit", 29 / 1000)
    assert not lines.passes("wrong_exit", 30 / 1000)
    assert DEFAULT_LINES.passes("approval", 27 / 30) and not DEFAULT_LINES.passes("approval", 26 / 30)


def test_a_township_row_under_a_village_filter_borrows_its_townships_rate(tmp_path: Path) -> None:
    # 乌加河镇 filtered to 红旗村: nobody outside the registry was surveyed in 红旗村, so its incidence
    # borrows 乌加河镇's 漏评率 (0 of 4 people, from 联丰村) in the tiles and the village table; the
    # township table's row, the same village, borrowed the county's (德岭山镇's 3 of 3 people: 100%)
    # and read 91% beside their 1% (data-spec §1.4; "借用所在乡镇或全部范围的率")
    db = _db(tmp_path, {
        "reg.csv": [REGISTRY, "乌加河镇,红旗村,HA,1,张一,,户主,1,已脱贫,2019,因病",
                    "德岭山镇,兴丰村,HB,1,李一,,户主,1,已脱贫,2019,因病"],
        "checks.csv": [CHECKS, "2020-06-20,乌加河镇,红旗村,HA,张一,,脱贫户,1,正常,认可",
                       "2020-06-20,乌加河镇,联丰村,,赵甲,,一般农户,4,正常,认可",
                       "2020-06-20,德岭山镇,兴丰村,,钱乙,,一般农户,3,漏评,认可"],
        "base.csv": [BASE, "2020,乌加河镇,红旗村,40,100", "2020,乌加河镇,联丰村,40,100",
                     "2020,德岭山镇,兴丰村,40,100"],
    })
    con, _ = snapshot.connect_read(db)
    try:
        flt = Filters(townships=("乌加河镇",), villages=("红旗村",))
        by_level = q.rates_by_level(con, flt, Viewer())
        figures = [by_level[level].iloc[0] for level in ("all", "township", "village")]
        for r in figures:
            assert r["incidence_rate"] == pytest.approx(0.0), r.get("township")  # (0 + 0 × 99 + 0 × 1) / 100
            assert r["incidence_rates_from"] == "own/township"
        # without the village filter the township's own sample holds the rate, as before
        town = q.rates(con, Filters(), Viewer(), level="township").set_index("township")
        assert town.loc["乌加河镇", "incidence_rates_from"] == "own"
        assert town.loc["德岭山镇", "incidence_rates_from"] == "all/own"
    finally:
        con.close()


def test_a_village_without_checks_has_its_townships_period(tmp_path: Path) -> None:
    # 联丰村 has a population base and no check; 红旗村 was surveyed in 2019 (郑甲: 漏评) and in 2020 (王乙
    # and 张一: 正常). The township's table, in 2020 (its latest check's year), gives 联丰村 0% (it borrows
    # 乌加河镇's 2020 漏评率, 0 of 4). Filtered to 联丰村 the page had no period at all (no check of its own):
    # it borrowed over every year, 郑甲's 2019 漏评 included, and read 49.8%, 不达标 (data-spec §1.4)
    db = _db(tmp_path, {
        "reg.csv": [REGISTRY, "乌加河镇,红旗村,HA,1,张一,,户主,1,已脱贫,2019,因病",
                    "乌加河镇,联丰村,HB,1,李一,,户主,1,已脱贫,2019,因病"],
        "checks.csv": [CHECKS, "2019-06-01,乌加河镇,红旗村,,郑甲,,一般农户,4,漏评,认可",
                       "2020-06-20,乌加河镇,红旗村,,王乙,,一般农户,4,正常,认可",
                       "2020-06-20,乌加河镇,红旗村,HA,张一,,脱贫户,1,正常,认可"],
        "base.csv": [BASE, "2020,乌加河镇,红旗村,100,300", "2020,乌加河镇,联丰村,100,200"],
    })
    con, _ = snapshot.connect_read(db)
    try:
        year_2020 = (date(2020, 1, 1), date(2020, 12, 31))
        town = Filters(townships=("乌加河镇",))
        assert q.default_period(con, town, Viewer()) == year_2020
        row = q.rates(con, town, Viewer(), level="village", date_from=year_2020[0],
                      date_to=year_2020[1]).set_index("village").loc["联丰村"]
        assert row["incidence_rate"] == pytest.approx(0.0)
        for flt in (Filters(townships=("乌加河镇",), villages=("联丰村",)), Filters(villages=("联丰村",))):
            period = q.default_period(con, flt, Viewer())
            assert period == year_2020, flt
            area = q.rates(con, flt, Viewer(), level="all", date_from=period[0], date_to=period[1]).iloc[0]
            assert area["checked_households"] == 0
            assert (area["incidence_rate"], area["incidence_pass"]) == (row["incidence_rate"], row["incidence_pass"])
        # a township user sees the period of the checks in their scope only
        assert q.default_period(con, Filters(), Viewer(townships=("德岭山镇",))) is None
    finally:
        con.close()


def test_a_village_whose_rural_population_is_0_has_no_base(tmp_path: Path) -> None:
    # A村 (2 people not exited, 1 exited) has 乡村人口 0 in the base, B村 100 and nobody registered. The
    # county's incidence put A村's 2 people not exited over B村's 100 rural people (2%), while A村's own row
    # had no figure and nothing said A村 lacked a base. A 0 is no figure, as a negative one is: A村 is a
    # village without a base, left out of numerator and denominator and named so (data-spec §1.4)
    db = _db(tmp_path, {
        "reg.csv": [REGISTRY, "乌加河镇,A村,HA,1,张一,,户主,1,未脱贫,,因病", "乌加河镇,A村,HB,1,张二,,户主,1,未脱贫,,因病",
                    "乌加河镇,A村,HC,1,张三,,户主,1,已脱贫,2019,因病"],
        "checks.csv": [CHECKS, "2020-06-20,乌加河镇,B村,,王乙,,一般农户,4,正常,认可",
                       "2020-06-20,乌加河镇,A村,HC,张三,,脱贫户,1,正常,认可"],
        "base.csv": [BASE, "2019,乌加河镇,A村,0,0", "2020,乌加河镇,A村,0,0", "2020,乌加河镇,B村,30,100"],
    })
    con, _ = snapshot.connect_read(db)
    try:
        county = q.rates(con, Filters(), Viewer(), level="all").iloc[0]
        assert (county["incidence_numerator"], county["rural_population"]) == (0.0, 100.0)
        assert (county["villages_without_base"], county["registered_people_no_base"]) == (1, 3)
        village = q.rates(con, Filters(), Viewer(), level="village").set_index("village")
        assert pd.isna(village.loc["A村", "rural_population"]) and village.loc["B村", "rural_population"] == 100
        issues = con.execute("SELECT rule, raw_value FROM data_issues ORDER BY ALL").fetchall()
    finally:
        con.close()
    # the check of A村 says its village has no base; the 0 is still an issue of the base itself
    assert ("check_no_population_base", "乌加河镇/A村") in issues
    assert issues.count(("population_below_registered", "0")) == 2


def test_a_borrowed_incidence_names_the_sample_it_rests_on(tmp_path: Path) -> None:
    # 德岭山镇 surveyed nobody: its incidence uses the county's 错退率 (3 of 3 people, 乌加河镇) and 漏评率
    # (0 of 4). Its tile quoted its own sample, "错退率（0人）、漏评率（0人）的样本不足", and never said whose
    # rates the figure used (data-spec §1.4; docs/DECISIONS.md "Rates a place borrows")
    db = _db(tmp_path, {
        "reg.csv": [REGISTRY, "乌加河镇,红旗村,HA,1,张一,,户主,3,已脱贫,2019,因病",
                    "乌加河镇,红旗村,HA,2,张二,,子女,3,已脱贫,2019,因病", "乌加河镇,红旗村,HA,3,张三,,子女,3,已脱贫,2019,因病",
                    "德岭山镇,兴丰村,HB,1,李一,,户主,1,已脱贫,2019,因病"],
        "checks.csv": [CHECKS, "2020-06-20,乌加河镇,红旗村,HA,张一,,脱贫户,3,错退,认可",
                       "2020-06-20,乌加河镇,红旗村,,赵甲,,一般农户,4,正常,认可"],
        "base.csv": [BASE, "2020,乌加河镇,红旗村,40,100", "2020,德岭山镇,兴丰村,40,100"],
    })
    con, _ = snapshot.connect_read(db)
    try:
        f = q.figures(con, Filters(townships=("德岭山镇",)), Viewer()).set_index("indicator")
    finally:
        con.close()
    assert f.loc["incidence", "value"] == pytest.approx((0 + 0 * 99 + 1.0 * 1) / 100)
    assert f.loc["incidence", "small_parts"] == [("wrong_exit", 3.0), ("missed", 4.0)]
    assert f.loc["incidence", "borrowed"] == [("wrong_exit", "all", 1.0, 3.0),
                                              ("missed", "all", 0.0, 4.0)]
    assert f.loc["wrong_exit", "borrowed"] == [] and f.loc["wrong_exit", "small_parts"] == [("wrong_exit", 0.0)]


def test_the_tile_of_a_borrowed_incidence_says_whose_rates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    serve_lines(tmp_path, monkeypatch, {
        "reg.csv": [REGISTRY, "乌加河镇,红旗村,HA,1,张一,,户主,1,已脱贫,2019,因病",
                    "德岭山镇,兴丰村,HB,1,李一,,户主,1,已脱贫,2019,因病"],
        "checks.csv": [CHECKS, "2020-06-20,乌加河镇,红旗村,HA,张一,,脱贫户,1,错退,认可",
                       "2020-06-20,乌加河镇,红旗村,,赵甲,,一般农户,4,正常,认可"],
        "base.csv": [BASE, "2020,乌加河镇,红旗村,40,100", "2020,德岭山镇,兴丰村,40,100"],
    })
    monkeypatch.setenv("FUPIN_EXTRACT_LOG", str(tmp_path / "extract_log.jsonl"))
    at = open_page("inspection_rates", {"town": "德岭山镇"})
    captions = [c.value for c in at.caption]
    assert "本地没有此类核查户，借用全部可见范围的脱贫人口错退率100.0%（1人）、全部可见范围的贫困人口漏评率0.0%（4人）" in captions
    assert ":orange[脱贫人口错退率（1人）、贫困人口漏评率（4人）的样本不足30人，综合贫困发生率仅供参考]" in captions


def test_a_base_below_the_registered_people_is_said_where_its_incidence_is(tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    # 戊嘎查: 3 registered people (1 not exited, 2 exited, both surveyed and found 错退) and a 乡村人口 of 2:
    # (1 + 0 + 100% × 2) / 2 = 150%, a "share" of people over 100% that only the archive issue explained
    db = serve_lines(tmp_path, monkeypatch, {
        "reg.csv": [REGISTRY, "南苏木,戊嘎查,HA,1,张一,,户主,2,已脱贫,2019,因病", "南苏木,戊嘎查,HA,2,张二,,子女,2,已脱贫,2019,因病",
                    "南苏木,戊嘎查,HB,1,李一,,户主,1,未脱贫,,因病", "东镇,甲村,HC,1,王一,,户主,1,未脱贫,,因病"],
        "checks.csv": [CHECKS, "2020-06-20,南苏木,戊嘎查,HA,张一,,脱贫户,2,错退,认可"],
        "base.csv": [BASE, "2020,南苏木,戊嘎查,1,2", "2020,东镇,甲村,40,100"],
    })
    monkeypatch.setenv("FUPIN_EXTRACT_LOG", str(tmp_path / "extract_log.jsonl"))
    con, _ = snapshot.connect_read(db)
    try:
        village = q.rates(con, Filters(), Viewer(), level="village").set_index("village")
        county = q.rates(con, Filters(), Viewer(), level="all").iloc[0]
    finally:
        con.close()
    assert village.loc["戊嘎查", "incidence_rate"] == pytest.approx(1.5)
    assert village["villages_base_below_registered"].to_dict() == {"戊嘎查": 1, "甲村": 0}
    assert county["villages_base_below_registered"] == 1
    said = "1个村的乡村人口少于其建档立卡人口（档案问题「乡村人口少于建档立卡人口」）"
    assert any(said in c.value for c in open_page("inspection_rates").caption)
    assert not any(said in c.value for c in open_page("inspection_rates", {"town": "东镇"}).caption)
