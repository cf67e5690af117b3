"""三率一度 (queries.inspection_rates) on the fixture county (tests/conftest.py) with a population base and
a self-check loaded through the real loader. Every figure is computed by hand below.

Registry people (members of registered households) per village, from conftest:
- 乌加河镇 联丰奋斗村: H01 (2, exited), H02 (1, exited); H11 (2) is an edge household, not registered;
- 乌加河镇 红旗村: H03 (3, not exited), H04 (2, exited);
- 德岭山镇 兴丰村: H05 (2, exited), H06 (1, not exited), H12 (3, exited);
- 德岭山镇 胜利村: H07 (4, returned: not exited), H08 (1, exited);
- 呼勒斯太苏木 温更嘎查: H09 (1, not exited), H10 (2, exited) — no population base.
Population base: 联丰奋斗村 800 (2019) and 820 (2020), 红旗村 500 (2019), 兴丰村 600 (2020), 胜利村 400 (2020).

The self-check (one row per household after the latest check of the period wins):
| place | household | counted as | people | finding | approval |
|---|---|---|---|---|---|
| 联丰奋斗村 | H01 | 脱贫户 | 2 | 正常 | 认可 |
| 联丰奋斗村 | H02 (2020; a 2019 check 正常/认可 is older) | 脱贫户 | 1 | 错退 (基本医疗 否) | 不认可 |
| 红旗村 | H04 (form: no size -> registry's 2) | 脱贫户 | 2 | 正常 | 说不清 |
| 联丰奋斗村 | 李四 | 一般农户 | 4 | 漏评 (住房 否) | 认可 |
| 联丰奋斗村 | 王五 | 一般农户 | 3 | 正常 | 认可 |
| 联丰奋斗村 | H11 (form: 一般农户; registry: edge) | 边缘户 | 2 | 正常 | 不认可 |
| 红旗村 | H03 (form: 一般农户; registry: not exited) | 未脱贫户 | 3 | 错退 | 认可 |
| 兴丰村 | H05, H12 | 脱贫户 | 2, 3 | 正常 | 认可 |
| 胜利村 | H08 | 脱贫户 | 1 | 正常 | 认可 |
| 兴丰村 | 赵六 | 一般农户 | 5 | 正常 | 认可 |
| 胜利村 | 孙七 | 一般农户 | 2 | 正常 | (none) |
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from etl import snapshot
from etl.inspection_rules import DEFAULT_LINES, Lines
from etl.load import load_files
from queries import inspection_rates as q
from queries.filters import Filters, Viewer
from tests.conftest import build_fixture_db

V = Viewer()
JUNE = {"date_from": date(2020, 1, 1), "date_to": date(2020, 12, 31)}
HEADER = "调查日期,乡(镇),行政村,户编号,户主姓名,证件号码,户类型,家庭人口,人均纯收入,不愁吃,不愁穿,义务教育保障,基本医疗保障,住房安全保障,饮水安全保障,核查结论,是否认可,调查人,备注"
CHECKS = [
    "2020-06-22,乌加河镇,联丰奋斗村,H01,张林春,,脱贫户,2,8000,是,是,是,是,是,是,正常,认可,甲,",
    "2020-06-22,乌加河镇,联丰奋斗村,H02,王秀英,,脱贫户,1,3000,是,是,是,否,是,是,疑似错退,不认可,甲,王秀英说看病报销少",
    "2019-05-01,乌加河镇,联丰奋斗村,H02,王秀英,,脱贫户,1,3000,是,是,是,是,是,是,正常,认可,甲,",
    "2020-06-22,乌加河镇,红旗村,H04,孙建国,,脱贫户,,6000,是,是,是,是,是,是,正常,说不清,乙,",
    "2020-06-22,乌加河镇,联丰奋斗村,,李四,,一般农户,4,3000,是,是,是,是,否,是,漏评,认可,甲,李四家住房漏雨",
    "2020-06-22,乌加河镇,联丰奋斗村,,王五,,一般农户,3,9000,是,是,是,是,是,是,正常,认可,甲,",
    "2020-06-22,乌加河镇,联丰奋斗村,H11,杨光,,一般农户,,4500,是,是,是,是,是,是,正常,不认可,甲,",
    "2020-06-22,乌加河镇,红旗村,H03,赵铁柱,,一般农户,3,2500,是,是,是,是,是,是,错退,认可,乙,",
    "2020-06-23,德岭山镇,兴丰村,H05,钱德福,,脱贫户,2,9000,是,是,是,是,是,是,正常,认可,丙,",
    "2020-06-23,德岭山镇,兴丰村,H12,朱大海,,脱贫户,3,4200,是,是,是,是,是,是,正常,认可,丙,",
    "2020-06-23,德岭山镇,胜利村,H08,褚老汉,,脱贫户,1,7000,是,是,是,是,是,是,正常,认可,丙,",
    "2020-06-23,德岭山镇,兴丰村,,赵六,,一般农户,5,9000,是,是,是,是,是,是,正常,认可,丙,",
    "2020-06-23,德岭山镇,胜利村,,孙七,,一般农户,2,9000,是,是,是,是,是,是,正常,,丙,",
]
BASE = ["年度,乡(镇),行政村,乡村户数,乡村人口", "2019,乌加河镇,联丰奋斗村,300,800", "2020,乌加河镇,联丰奋斗村,305,820",
        "2019,乌加河镇,红旗村,200,500", "2020,德岭山镇,兴丰村,220,600", "2020,德岭山镇,胜利村,150,400"]

# hand-computed (see the module docstring)
ALL_WRONG = (1, 11)  # H02's 1 person of 2+1+2 (乌加河镇) + 2+3+1 (德岭山镇) exited people surveyed
ALL_MISSED = (4, 16)  # 李四's 4 of 4+3+2 (乌加河镇) + 5+2 (德岭山镇)
ALL_APPROVAL = (8, 11)  # 认可: H01 李四 王五 H03 H05 H12 H08 赵六; answered: those + H02 H04 H11
# villages with a base (latest year): not exited 0+3+1+4, exited 3+2+5+1, rural 820+500+600+400,
# non-registered (820-3)+(500-5)+(600-6)+(400-5)
ALL_INCIDENCE = (8 + 4 / 16 * 2301 + 1 / 11 * 11) / 2320
WJH_INCIDENCE = (3 + 4 / 9 * 1312 + 1 / 5 * 5) / 1320  # 乌加河镇: its own rates 1/5 and 4/9
DLS_INCIDENCE = (5 + 0 + 0) / 1000  # 德岭山镇: no wrong exit or missed household surveyed


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("rates")
    path = build_fixture_db(root / "data" / "fupin.duckdb")
    (root / "base.csv").write_text("\n".join(BASE) + "\n", encoding="utf-8")
    (root / "checks.csv").write_text("\n".join([HEADER, *CHECKS]) + "\n", encoding="utf-8")
    report = load_files([root / "base.csv", root / "checks.csv"], db=path)
    assert report.exit_code == 0 and report.files[1].rows_loaded == 13
    return path


@pytest.fixture()
def con(db: Path):
    c, _ = snapshot.connect_read(db)
    yield c
    c.close()


def row(df: pd.DataFrame, **keys: str) -> pd.Series:
    sel = df
    for k, v in keys.items():
        sel = sel[sel[k] == v]
    assert len(sel) == 1, (keys, len(sel))
    return sel.iloc[0]


def wilson_by_hand(x: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def test_the_four_figures_of_the_county(con: duckdb.DuckDBPyConnection) -> None:
    r = q.rates(con, Filters(), V, **JUNE).iloc[0]
    assert (r["wrong_exit_people"], r["exited_sample_people"], r["exited_sample_households"]) == (1, 11, 6)
    assert (r["missed_people"], r["nonreg_sample_people"], r["nonreg_sample_households"]) == (4, 16, 5)
    # H04's 说不清 lowers 认可度 and is listed with the 不认可 (every answer but 认可)
    assert (r["approved"], r["answered"], r["disapproved"], r["checked_households"]) == (8, 11, 3, 12)
    assert r["wrong_exit_rate"] == pytest.approx(1 / 11)
    assert r["missed_rate"] == pytest.approx(4 / 16)
    assert r["approval_rate"] == pytest.approx(8 / 11)
    assert r["incidence_rate"] == pytest.approx(ALL_INCIDENCE)
    assert (r["rural_population"], r["villages"], r["villages_without_base"]) == (2320, 5, 1)
    assert r["registered_people_no_base"] == 3  # 温更嘎查's registered people are outside the incidence
    for ind, (x, n) in {"wrong_exit": ALL_WRONG, "missed": ALL_MISSED, "approval": ALL_APPROVAL}.items():
        lo, hi = wilson_by_hand(x, n)
        assert (r[f"{ind}_lo"], r[f"{ind}_hi"]) == (pytest.approx(lo), pytest.approx(hi))
        assert r[f"{ind}_small"]  # fewer than 30 people (households)
    # the incidence's band: both rates' interval ends put into the formula
    lo_w, hi_w = wilson_by_hand(*ALL_WRONG)
    lo_m, hi_m = wilson_by_hand(*ALL_MISSED)
    assert r["incidence_lo"] == pytest.approx((8 + lo_m * 2301 + lo_w * 11) / 2320)
    assert r["incidence_hi"] == pytest.approx((8 + hi_m * 2301 + hi_w * 11) / 2320)
    # every figure over its line: 25.2% > 3%, 9.1% > 2%, 25% > 2%, 72.7% < 90%
    assert r["failed"] == ["incidence", "wrong_exit", "missed", "approval"] and r["fails"] == 4


def test_figures_long_form_and_lines(con: duckdb.DuckDBPyConnection) -> None:
    f = q.figures(con, Filters(), V, **JUNE).set_index("indicator")
    assert list(f.index) == ["incidence", "wrong_exit", "missed", "approval"]
    assert f.loc["wrong_exit", ["numerator", "denominator", "sample_households"]].tolist() == [1, 11, 6]
    assert f.loc["approval", ["numerator", "denominator", "sample_households"]].tolist() == [8, 11, 11]
    assert f.loc["incidence", "denominator"] == 2320
    assert f["passes"].tolist() == [False, False, False, False]
    assert f["line"].tolist() == [0.03, 0.02, 0.02, 0.90]
    loose = Lines(incidence=0.3, wrong_exit=0.1, missed=0.25, approval=0.7)
    g = q.figures(con, Filters(), V, lines=loose, **JUNE).set_index("indicator")
    assert g["passes"].tolist() == [True, True, True, True]  # 25% ≤ 25% passes: the line is inclusive


def test_by_township_failing_first(con: duckdb.DuckDBPyConnection) -> None:
    t = q.rates(con, Filters(), V, level="township", **JUNE)
    assert list(t["township"]) == ["乌加河镇", "德岭山镇", "呼勒斯太苏木"]
    wjh, dls, hlst = (row(t, township=x) for x in ("乌加河镇", "德岭山镇", "呼勒斯太苏木"))
    assert wjh["wrong_exit_rate"] == pytest.approx(1 / 5) and wjh["missed_rate"] == pytest.approx(4 / 9)
    assert wjh["approval_rate"] == pytest.approx(4 / 7)  # H01 李四 王五 H03 of 7 answers
    assert wjh["incidence_rate"] == pytest.approx(WJH_INCIDENCE)
    assert wjh["fails"] == 4
    assert dls["wrong_exit_rate"] == 0 and dls["missed_rate"] == 0 and dls["approval_rate"] == 1
    assert dls["incidence_rate"] == pytest.approx(DLS_INCIDENCE) and dls["fails"] == 0
    assert list(dls[[f"{i}_pass" for i in ("incidence", "wrong_exit", "missed", "approval")]]) == [True] * 4
    # no check and no population base: no figure, no verdict
    assert math.isnan(hlst["incidence_rate"]) and math.isnan(hlst["approval_rate"])
    assert hlst["approval_pass"] is None and hlst["fails"] == 0


def test_by_village_borrows_missing_rates(con: duckdb.DuckDBPyConnection) -> None:
    v = q.rates(con, Filters(), V, level="village", **JUNE)
    assert len(v) == 5
    hq = row(v, village="红旗村")  # surveyed exited H04 (2 people, 正常); no non-registered household surveyed
    assert hq["wrong_exit_rate"] == 0 and math.isnan(hq["missed_rate"])
    assert hq["incidence_rates_from"] == "own/township"  # 漏评率 of 乌加河镇
    assert hq["incidence_rate"] == pytest.approx((3 + 4 / 9 * 495 + 0 * 2) / 500)
    sl = row(v, village="胜利村")
    assert sl["incidence_rate"] == pytest.approx((4 + 0 * 395 + 0 * 1) / 400)
    wg = row(v, village="温更嘎查")
    assert math.isnan(wg["rural_population"]) and math.isnan(wg["incidence_rate"])
    assert v.iloc[0]["village"] == "联丰奋斗村"  # the only village failing all four: first


def test_a_place_has_one_figure_whatever_the_filter(con: duckdb.DuckDBPyConnection) -> None:
    """Filtered to 红旗村 (or seen by a 乌加河镇 user) the village still borrows 乌加河镇's 漏评率, as in the
    county's table: the figure and verdict do not change with the filter (it used 0 for the missing rate)."""
    village = row(q.rates(con, Filters(), V, level="village", **JUNE), village="红旗村")
    for flt, viewer in ((Filters(villages=("红旗村",)), V), (Filters(townships=("乌加河镇",), villages=("红旗村",)), V),
                        (Filters(villages=("红旗村",)), Viewer(townships=("乌加河镇",)))):
        alone = q.rates(con, flt, viewer, **JUNE).iloc[0]
        assert alone["incidence_rate"] == pytest.approx(village["incidence_rate"]), (flt, viewer)
        assert alone["incidence_rates_from"] == "own/township" and alone["incidence_pass"] == village["incidence_pass"]
    # a township filter borrows from the whole county, as the county's township table does
    towns = q.rates(con, Filters(), V, level="township", **JUNE)
    town = q.rates(con, Filters(townships=("乌加河镇",)), V, **JUNE).iloc[0]
    assert town["incidence_rate"] == pytest.approx(row(towns, township="乌加河镇")["incidence_rate"])


def test_no_rate_anywhere_is_no_figure(con: duckdb.DuckDBPyConnection) -> None:
    """2019: only H02 (exited) was checked, nobody outside the registry: 漏评率 is unknown everywhere, so
    the incidence is too (its band takes the rate as anything from 0 to 1); it was computed with 0."""
    y2019 = {"date_from": date(2019, 1, 1), "date_to": date(2019, 12, 31)}
    county = q.rates(con, Filters(), V, **y2019).iloc[0]
    assert math.isnan(county["incidence_rate"]) and county["incidence_pass"] is None
    assert county["incidence_rates_from"] == "own/none"
    assert 0 < county["incidence_lo"] < county["incidence_hi"] < 1
    # 德岭山镇 alone: no exited household of it checked either; every rate borrowed or unknown
    town = q.rates(con, Filters(townships=("德岭山镇",)), V, **y2019).iloc[0]
    assert math.isnan(town["incidence_rate"]) and town["incidence_rates_from"] == "all/none"


def test_period_base_year_and_latest_check(con: duckdb.DuckDBPyConnection) -> None:
    every = q.rates(con, Filters(), V).iloc[0]
    assert every["checked_households"] == 12  # H02 twice: its latest check counts
    assert every["wrong_exit_people"] == 1
    old = q.rates(con, Filters(), V, date_from=date(2019, 1, 1), date_to=date(2019, 12, 31)).iloc[0]
    assert (old["checked_households"], old["wrong_exit_people"], old["exited_sample_people"]) == (1, 0, 1)
    assert q.default_period(con, Filters(), V) == (date(2020, 1, 1), date(2020, 12, 31))
    assert q.base_years(con, Filters(), V) == [2020, 2019]
    y2019 = q.rates(con, Filters(), V, base_year=2019, **JUNE).iloc[0]
    assert y2019["rural_population"] == 1300  # 联丰奋斗村 800 + 红旗村 500
    assert y2019["incidence_rate"] == pytest.approx((3 + 4 / 16 * 1292 + 1 / 11 * 5) / 1300)


def test_filters_and_township_scope(con: duckdb.DuckDBPyConnection) -> None:
    town = q.rates(con, Filters(townships=("德岭山镇",)), V, **JUNE).iloc[0]
    scoped = q.rates(con, Filters(), Viewer(townships=("德岭山镇",)), **JUNE).iloc[0]
    assert town["incidence_rate"] == pytest.approx(DLS_INCIDENCE)
    assert scoped["incidence_rate"] == pytest.approx(DLS_INCIDENCE)
    assert (scoped["exited_sample_people"], scoped["nonreg_sample_people"], scoped["answered"]) == (6, 7, 4)
    assert list(q.rates(con, Filters(), Viewer(townships=("德岭山镇",)), level="township")["township"]) == ["德岭山镇"]
    # a township user sees none of another township's households, asked for or not
    assert q.cases(con, Filters(), Viewer(townships=("德岭山镇",)), "wrong_exit").empty
    assert q.cases(con, Filters(townships=("乌加河镇",)), Viewer(townships=("德岭山镇",)), "missed").empty
    assert q.rates(con, Filters(townships=("乌加河镇",)), Viewer(townships=("德岭山镇",))).empty
    village = q.rates(con, Filters(villages=("联丰奋斗村",)), V, **JUNE).iloc[0]
    assert (village["wrong_exit_people"], village["exited_sample_people"]) == (1, 3)
    # a household filter (cause) selects registry households: their checks only, and no incidence
    ill = q.rates(con, Filters(main_causes=("因病",)), V, **JUNE).iloc[0]  # H01, H02, H05
    assert (ill["wrong_exit_people"], ill["exited_sample_people"], ill["nonreg_sample_people"]) == (1, 5, 0)
    assert ill["approval_rate"] == pytest.approx(2 / 3)
    assert math.isnan(ill["incidence_rate"]) and ill["incidence_pass"] is None


def test_households_behind_the_figures(con: duckdb.DuckDBPyConnection) -> None:
    wrong = q.cases(con, Filters(), V, "wrong_exit", **JUNE)
    assert list(wrong["household_id"]) == ["H02"]  # H03's 错退 is on a household that never exited
    w = wrong.iloc[0]
    assert (w["head_name"], w["counted_as"], w["exit_status"], w["people"]) == ("王*英", "脱贫户", "已脱贫", 1)
    assert list(w["failed_items"]) == ["基本医疗保障"]
    assert w["notes"] == "王*英说看病报销少"  # names inside free text are masked too
    missed = q.cases(con, Filters(), V, "missed", **JUNE)
    assert list(missed["head_name"]) == ["李*"] and list(missed["failed_items"].iloc[0]) == ["住房安全保障"]
    assert missed["notes"].iloc[0] == "李*家住房漏雨"
    dis = q.cases(con, Filters(), V, "disapproved", **JUNE)
    assert sorted(dis["household_id"]) == ["H02", "H04", "H11"]  # H04 answered 说不清
    assert row(dis, household_id="H11")["counted_as"] == "边缘户"  # the registry's group, not the form's
    pii = q.cases(con, Filters(), Viewer(pii=True), "wrong_exit", **JUNE).iloc[0]
    assert (pii["head_name"], pii["notes"]) == ("王秀英", "王秀英说看病报销少")
    # the lists agree with the figures they explain
    r = q.rates(con, Filters(), V, **JUNE).iloc[0]
    assert wrong["people"].sum() == r["wrong_exit_people"] and missed["people"].sum() == r["missed_people"]
    assert len(dis) == r["disapproved"] == r["answered"] - r["approved"]
    with pytest.raises(ValueError):
        q.cases(con, Filters(), V, "x' OR 1=1 --")


def test_signals_are_kept_apart_and_agree_with_the_households(tmp_path: Path) -> None:
    """疑似错退 / 疑似漏评 from the registry; the cells' counts equal the household lists' (one rule)."""
    path = build_fixture_db(tmp_path / "data" / "fupin.duckdb")
    reg = tmp_path / "edge.csv"
    reg.write_text("乡(镇),行政村,户编号,姓名,证件号码,与户主关系,监测对象类别,人均纯收入,收入年度\n"
                   "德岭山镇,胜利村,H13,边缘甲,150824198001010011,户主,边缘易致贫户,3000,2020\n"
                   "德岭山镇,胜利村,H14,边缘乙,150824198001010022,户主,突发严重困难户,6000,2020\n", encoding="utf-8")
    assert load_files([reg], db=path).exit_code == 0
    from queries import households

    c, _ = snapshot.connect_read(path)
    try:
        s = q.signals(c, Filters(), V)
        dls = row(s, township="德岭山镇")
        assert (dls["suspected_missed"], dls["monitored_not_registered"]) == (1, 2)  # H13 below the 2020 line
        assert (dls["suspected_wrong_exits"], dls["exited_households"]) == (1, 3)  # H08 (unsafe water) of H05, H08, H12
        listed = households.listing(c, Filters(), V, condition="suspected_missed")
        assert list(listed["household_id"]) == ["H13"]
        for level in ("all", "township", "village"):
            sums = q.signals(c, Filters(), V, level=level)
            assert sums["suspected_wrong_exits"].sum() == len(households.listing(c, Filters(), V,
                                                                                   condition="wrong_exit"))
            assert sums["suspected_missed"].sum() == 1
    finally:
        c.close()


def test_empty_database_and_no_checks(empty_db: Path, fixture_db: Path) -> None:
    for path in (empty_db, fixture_db):
        c = duckdb.connect(str(path), read_only=True)
        try:
            df = q.rates(c, Filters(), V)
            if path == empty_db:
                assert df.empty
            else:  # registry only: no survey, so no rate and no incidence (no population base)
                r = df.iloc[0]
                assert r["checked_households"] == 0 and math.isnan(r["wrong_exit_rate"])
                assert math.isnan(r["incidence_rate"]) and r["fails"] == 0
            assert q.cases(c, Filters(), V, "missed").empty
            assert q.default_period(c, Filters(), V) is None
        finally:
            c.close()


def test_wilson_and_small_samples() -> None:
    lo, hi = q.wilson(np.array([1, 0, 30, 0]), np.array([5, 10, 30, 0]))
    assert (lo[0], hi[0]) == (pytest.approx(0.0362, abs=1e-4), pytest.approx(0.6245, abs=1e-4))  # textbook 1/5
    assert lo[1] == 0 and hi[1] == pytest.approx(0.2775, abs=1e-4)
    assert hi[2] == pytest.approx(1) and lo[2] == pytest.approx(0.8865, abs=1e-4)
    assert math.isnan(lo[3]) and math.isnan(hi[3])
    frame = pd.DataFrame({"wrong_exit_people": [0, 0], "exited_sample_people": [29, 30],
                          "exited_sample_households": [10, 10], "missed_people": [0, 0],
                          "nonreg_sample_people": [0, 40], "nonreg_sample_households": [0, 9],
                          "approved": [29, 30], "answered": [29, 30]})
    out = q._rates_of(frame)
    assert list(out["wrong_exit_small"]) == [True, False] and list(out["missed_small"]) == [True, False]
    assert list(out["approval_small"]) == [True, False]


@pytest.mark.parametrize("value", ["'; DROP TABLE household_checks; --", "' OR 1=1 --", "联丰奋斗村' OR '1'='1",
                                   "$p_scope_0", "%", "\\"])
def test_hostile_values_are_data(con: duckdb.DuckDBPyConnection, value: str) -> None:
    flt = Filters(townships=(value,), villages=(value,))
    assert q.rates(con, flt, V).empty
    assert q.rates(con, Filters(), Viewer(townships=(value,)), level="village").empty
    for kind in q.CASES:
        assert q.cases(con, Filters(villages=(value,)), V, kind).empty
    assert q.signals(con, flt, V).empty and q.base_years(con, flt, V) == []
    for bad in ("village; DROP TABLE x", value):
        with pytest.raises(ValueError):
            q.rates(con, Filters(), V, level=bad)
    assert q.rates(con, Filters(), V, **JUNE).iloc[0]["checked_households"] == 12  # nothing was changed


def test_briefing_section(con: duckdb.DuckDBPyConnection) -> None:
    """The briefing's 三率一度: the four figures, one written finding per failing figure (with its sample
    and worst village), the failing villages; all passing says so; no checks says so."""
    from ui import briefing_html

    veto = briefing_html.veto_section(con, Filters(), V, "zh")
    fails = [f for f in veto.findings if "不达标" in f]
    assert len(fails) == 4
    # each "indicative only" beside what it is said of: the county's figure, then its worst village's
    assert fails[1] == ("脱贫人口错退率为9.1%（1 / 11），高于2%的否决线，不达标。样本不足30，仅供参考。"
                        "最差的村：联丰奋斗村（33.3%，样本不足，仅供参考）。")
    assert list(veto.figures["verdict"]) == ["不达标"] * 4
    assert veto.villages.iloc[0]["village"] == "联丰奋斗村"
    assert veto.villages.iloc[0]["small_sample"] == "综合贫困发生率、脱贫人口错退率、贫困人口漏评率、群众认可度"
    # the incidence leaves out a village without a population base, and says so (as the page does)
    assert "1个村没有人口基数（乡村人口），其3名建档立卡人口未计入综合贫困发生率。请导入人口基数表。" in veto.findings
    dls = briefing_html.veto_section(con, Filters(townships=("德岭山镇",)), V, "zh")
    # within every line, but on samples under 30: never a plain "四项指标均达到否决线要求" (it was)
    assert dls.findings[:4] == [
        "综合贫困发生率为0.5%（5 / 1,000），达到否决线（≤ 3%）要求，但所依据的错退率或漏评率样本不足30，仅供参考。",
        "脱贫人口错退率为0.0%（0 / 6），达到否决线（≤ 2%）要求，但样本不足30，仅供参考。",
        "贫困人口漏评率为0.0%（0 / 7），达到否决线（≤ 2%）要求，但样本不足30，仅供参考。",
        "群众认可度为100.0%（4 / 4），达到否决线（≥ 90%）要求，但样本不足30，仅供参考。"]
    assert "四项指标均达到否决线要求。" not in dls.findings and dls.villages.empty
    assert list(dls.figures["verdict"]) == ["达标（样本不足，仅供参考）"] * 4
    # figures without a sample are said to have no verdict (they counted as passing before); under a
    # household filter the incidence is not computed, and that is the reason given, not "no sample"
    part = briefing_html.veto_section(con, Filters(exit_statuses=("未脱贫",)), V, "zh")
    assert part.findings[:3] == ["群众认可度为100.0%（1 / 1），达到否决线（≥ 90%）要求，但样本不足30，仅供参考。",
                                 "已选择致贫原因等农户条件：只计入与符合条件的登记在册户（建档立卡户、监测对象及其他）对应的核查户，"
                                 "贫困人口信息之外的核查户不计入；综合贫困发生率按地区计算，此时不计算。",
                                 "脱贫人口错退率、贫困人口漏评率没有样本，无法判断是否达标。"]
    nothing = briefing_html.veto_section(con, Filters(townships=("呼勒斯太苏木",)), V, "en")
    assert nothing.findings == ["No household checks yet: the veto indicators cannot be computed."]
    html = briefing_html.build(con, Filters(), V, lang="zh", as_of=date(2020, 6, 30), data_as_of=date(2020, 6, 30))
    assert "<h2>三率一度</h2>" in html and "群众认可度为72.7%（8 / 11）" in html


def test_the_briefing_of_a_village_without_checks_shows_the_pages_borrowed_incidence(tmp_path: Path) -> None:
    """红旗村 filtered, with a population base and no checked household: the 三率一度 page shows its incidence
    from its township's rates (99.6%, 不达标); the briefing said "尚无入户核查数据，三率一度无法计算". It now
    shows the page's figure and verdict, and says where the rates come from."""
    from ui import briefing_html

    path = build_fixture_db(tmp_path / "data" / "fupin.duckdb")
    rows = ["2020-06-22,乌加河镇,联丰奋斗村,H01,张林春,,脱贫户,2,8000,是,是,是,是,是,是,正常,认可,甲,",
            "2020-06-22,乌加河镇,联丰奋斗村,,李四,,一般农户,4,3000,是,是,是,是,否,是,漏评,认可,甲,"]
    (tmp_path / "checks.csv").write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    (tmp_path / "base.csv").write_text("\n".join(BASE) + "\n", encoding="utf-8")
    assert load_files([tmp_path / "base.csv", tmp_path / "checks.csv"], db=path).exit_code == 0
    flt = Filters(villages=("红旗村",))
    c, _ = snapshot.connect_read(path)
    try:
        period = q.default_period(c, flt, V)
        page = q.figures_of(q.rates_by_level(c, flt, V, date_from=period[0], date_to=period[1])["all"].iloc[0])
        veto = briefing_html.veto_section(c, flt, V, "zh")
        nothing = briefing_html.veto_section(c, Filters(townships=("呼勒斯太苏木",)), V, "zh")  # no base either
    finally:
        c.close()
    incidence = page.set_index("indicator").loc["incidence"]
    assert incidence["value"] == pytest.approx((3 + 1.0 * 495 + 0 * 2) / 500) and incidence["passes"] is False
    assert veto.findings == [
        "所选范围内没有入户核查户：综合贫困发生率按所在乡镇的错退率、漏评率计算（与三率一度页相同）。",
        "综合贫困发生率为99.6%（498 / 500），高于3%的否决线，不达标。样本不足30，仅供参考。最差的村：红旗村（99.6%，样本不足，仅供参考）。",
        "脱贫人口错退率、贫困人口漏评率、群众认可度没有样本，无法判断是否达标。"]
    assert list(veto.figures["figure"]) == ["99.6%", "", "", ""]
    assert list(veto.figures["verdict"]) == ["不达标", "无数据", "无数据", "无数据"]
    assert nothing.findings == ["尚无入户核查数据，三率一度无法计算。"] and nothing.figures.empty


def test_the_briefings_worst_village_has_a_full_sample_when_one_fails(tmp_path: Path) -> None:
    """The worst village named is the worst of those whose sample is full: 胜利村's 100% 漏评率 from one
    2-person household is not named beside 兴丰村's 3 of 32 people (a probe: 99.7% from 5 people)."""
    from ui import briefing_html

    path = build_fixture_db(tmp_path / "data" / "fupin.duckdb")
    rows = [f"2020-06-23,德岭山镇,兴丰村,,农户{i},,一般农户,4,9000,是,是,是,是,是,是,{'漏评' if i < 1 else '正常'},认可,丙,"
            for i in range(8)]
    rows.append("2020-06-23,德岭山镇,胜利村,,孙七,,一般农户,2,2000,是,是,是,是,否,是,漏评,认可,丙,")
    (tmp_path / "checks.csv").write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    (tmp_path / "base.csv").write_text("\n".join(BASE) + "\n", encoding="utf-8")
    assert load_files([tmp_path / "base.csv", tmp_path / "checks.csv"], db=path).exit_code == 0
    c, _ = snapshot.connect_read(path)
    try:
        veto = briefing_html.veto_section(c, Filters(townships=("德岭山镇",)), V, "zh")
    finally:
        c.close()
    missed = next(f for f in veto.findings if f.startswith("贫困人口漏评率"))
    assert missed.endswith("最差的村：兴丰村（12.5%）。"), missed
    small = veto.villages.set_index("village")["small_sample"]
    assert "贫困人口漏评率" in small["胜利村"] and "贫困人口漏评率" not in small["兴丰村"]


def test_a_pass_whose_interval_holds_the_line_is_not_a_plain_pass(tmp_path: Path) -> None:
    """群众认可度 29 of 31 households (93.5%, a full sample) is within ≥ 90%, but its 95% interval reaches
    below 90%: the figure is 达标（样本未能确认） in the briefing's table and sentence, and never among
    "四项指标均达到否决线要求" (the tiles and tables said a plain 达标 beside the charts' orange bars)."""
    from ui import briefing_html

    path = build_fixture_db(tmp_path / "data" / "fupin.duckdb")
    rows = [f"2020-06-23,德岭山镇,兴丰村,,农户{i},,一般农户,4,9000,是,是,是,是,是,是,正常,"
            f"{'不认可' if i < 2 else '认可'},丙," for i in range(31)]
    (tmp_path / "checks.csv").write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    (tmp_path / "base.csv").write_text("\n".join(BASE) + "\n", encoding="utf-8")
    assert load_files([tmp_path / "base.csv", tmp_path / "checks.csv"], db=path).exit_code == 0
    c, _ = snapshot.connect_read(path)
    try:
        flt = Filters(townships=("德岭山镇",))
        figs = q.figures(c, flt, V).set_index("indicator")
        veto = briefing_html.veto_section(c, flt, V, "zh")
        towns = q.rates(c, flt, V, level="township")
    finally:
        c.close()
    lo, hi = wilson_by_hand(29, 31)
    assert lo < DEFAULT_LINES.approval < hi and not figs.loc["approval", "small"]
    assert figs.loc["approval", "passes"] and figs.loc["approval", "unconfirmed"]
    verdicts = dict(zip(veto.figures["indicator"], veto.figures["verdict"], strict=True))
    assert verdicts["群众认可度"] == "达标（样本未能确认）"
    assert (f"群众认可度为93.5%（29 / 31），在否决线（≥ 90%）以内，但95%区间{lo:.1%}–{hi:.1%}跨过否决线，"
            "样本不足以确认达标。") in veto.findings
    assert "四项指标均达到否决线要求。" not in veto.findings
    assert "approval" in q.unconfirmed_figures(towns)[0]


def test_an_outside_household_checked_with_and_without_its_id_is_one_household(tmp_path: Path) -> None:
    """A household outside the registry surveyed once by its head's name and once with the head's ID
    number is one surveyed household (its latest check counts), not two (it was counted twice in 漏评率
    and 认可度)."""
    checks = tmp_path / "核查.csv"
    checks.write_text("\n".join([
        "调查日期,乡(镇),行政村,户编号,户主姓名,证件号码,户类型,家庭人口,核查结论,是否认可",
        "2020-06-01,乌加河镇,联丰奋斗村,,王二,,一般农户,3,漏评,认可",
        "2020-06-20,乌加河镇,联丰奋斗村,,王二,150824196001010118,一般农户,3,正常,不认可",
        "2020-06-20,乌加河镇,联丰奋斗村,,赵五,,一般农户,2,正常,认可"]) + "\n", encoding="utf-8")
    db = build_fixture_db(tmp_path / "data" / "fupin.duckdb")
    load_files([checks], db=db)
    con, _ = snapshot.connect_read(db)
    try:
        county = q.rates(con, Filters(), V, **JUNE).iloc[0]
    finally:
        con.close()
    assert (county["nonreg_sample_households"], county["nonreg_sample_people"], county["missed_people"]) == (2, 5, 0)
    assert (county["answered"], county["approved"]) == (2, 1)


def test_a_check_dated_in_the_future_counts_nowhere(db: Path, tmp_path: Path) -> None:
    """A form dated 2030 (a year typed wrong; flagged future_date at load) moved the default period to
    2030, where one household made the four figures, and with any period replaced the household's real
    check as its latest (a probe with unseen files). It counts once its day has come, like a visit."""
    import shutil

    from etl import clock

    copy = tmp_path / "data" / "fupin.duckdb"
    shutil.copytree(db.parent, copy.parent, symlinks=True)
    future = tmp_path / "future.csv"
    future.write_text(HEADER + "\n" + CHECKS[0].replace("2020-06-22", "2030-06-21").replace("正常,认可", "错退,不认可")
                      + "\n", encoding="utf-8")
    assert load_files([future], db=copy).exit_code == 0
    c, _ = snapshot.connect_read(copy)
    try:
        assert clock.today() < date(2030, 6, 21)
        assert q.default_period(c, Filters(), V) == (date(2020, 1, 1), date(2020, 12, 31))
        r = q.rates(c, Filters(), V, date_from=date(2000, 1, 1), date_to=date(2099, 12, 31)).iloc[0]
        assert (r["wrong_exit_people"], r["exited_sample_people"]) == ALL_WRONG  # H01 still 正常 from 2020
        assert (r["approved"], r["answered"]) == ALL_APPROVAL
    finally:
        c.close()


def test_every_level_from_one_reading_equals_each_level_alone(con: duckdb.DuckDBPyConnection) -> None:
    """The page and the briefing read all levels at once (one reading of checks, registry and base):
    each is the level computed alone, under every kind of filter."""
    for flt in (Filters(), Filters(townships=("乌加河镇",)), Filters(villages=("红旗村",)),
                Filters(exit_statuses=("已脱贫",))):
        together = q.rates_by_level(con, flt, V, **JUNE)
        assert set(together) == set(q.LEVELS)
        for level in q.LEVELS:
            pd.testing.assert_frame_equal(together[level], q.rates(con, flt, V, level=level, **JUNE))
    with pytest.raises(ValueError):
        q.rates_by_level(con, Filters(), V, levels=("county",))
