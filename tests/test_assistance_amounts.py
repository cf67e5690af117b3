"""The 帮扶措施 page's amounts by year and category (a probe of numbers and rounding, 2026-12-07): a measure
without 实施年度 or 开始日期 (no year) stopped the page (the years sorted with a missing one beside them:
float < str); its amount is drawn as the year 未填写, after the years. Real files, the page through AppTest.
Measures none of which has a 金额 sum to no figure, not 0 元 (a ledger without the column read as if
nothing had been spent), in the amounts by year, the projects and a household's total."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from etl import snapshot
from etl.load import load_files
from queries import assistance
from queries.filters import Filters, Viewer
from tests import conftest
from tests.snapshots_equal import differences, rebuilt
from tests.test_load import registry_rows, write_csv

REGISTRY = "乡(镇),行政村,户编号,姓名,证件号码,与户主关系,脱贫属性,脱贫年度,主要致贫原因"
MEASURES = "户编号,措施类别,措施内容,实施年度,金额(元)"
MEASURES_PROJECTS = ["户编号", "措施类别", "措施内容", "项目名称", "实施年度", "金额(元)"]


@pytest.fixture()
def county(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    files = {
        "reg.csv": [REGISTRY, "甲镇,一村,H1,张一,,户主,已脱贫,2019,因病", "甲镇,一村,H2,张二,,户主,已脱贫,2019,因病"],
        "measures.csv": [MEASURES, 'H1,产业帮扶,养羊,2019,"1,200.5"', "H2,产业帮扶,养牛,,300",
                         "H2,就业帮扶,公益岗,2018,500"],
    }
    return conftest.serve_lines(tmp_path, monkeypatch, files)


def amounts_chart(at: object) -> dict:
    found = [json.loads(el.proto.spec) for el in at.get("plotly_chart")  # type: ignore[attr-defined]
             if el.proto.id.endswith("-assist_amounts_chart")]
    assert len(found) == 1
    return found[0]


def test_a_measure_without_a_year_is_drawn_as_unfilled(county: Path) -> None:
    at = conftest.open_page("assistance")
    spec = amounts_chart(at)
    assert spec["layout"]["xaxis"]["categoryarray"] == ["2018", "2019", "未填写"]
    bars = {tr["name"]: dict(zip(tr["x"], tr["y"], strict=True)) for tr in spec["data"] if tr["type"] == "bar"}
    assert bars["产业帮扶"] == {"2019": 1200.5, "未填写": 300.0}, bars
    assert bars["就业帮扶"] == {"2018": 500.0}, bars


def test_a_year_s_measures_without_amounts_draw_no_bar_and_no_zero(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    conftest.serve_lines(tmp_path, monkeypatch, {
        "reg.csv": [REGISTRY, "甲镇,一村,H1,张一,,户主,已脱贫,2019,因病"],
        "measures.csv": [MEASURES, "H1,产业帮扶,养羊,2019,1000", "H1,就业帮扶,公益岗,2019,"]})
    at = conftest.open_page("assistance")
    assert not at.exception
    bars = {tr["name"]: dict(zip(tr["x"], tr["y"], strict=True)) for tr in amounts_chart(at)["data"]
            if tr["type"] == "bar"}
    # the category without any amount is not in the legend: the caption names it instead
    assert bars == {"产业帮扶": {"2019": 1000.0}}, bars
    captions = " ".join(c.value for c in at.caption)
    assert "1 条措施未填写金额，图中金额不含这些措施" in captions and "就业帮扶的措施均未填写金额" in captions, captions


def test_a_county_without_any_amount_draws_no_chart_and_says_why(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    conftest.serve_lines(tmp_path, monkeypatch, {
        "reg.csv": [REGISTRY, "甲镇,一村,H1,张一,,户主,已脱贫,2019,因病"],
        "measures.csv": [MEASURES, "H1,产业帮扶,养羊,2019,", "H1,就业帮扶,公益岗,2019,"]})
    at = conftest.open_page("assistance")
    assert not at.exception
    assert not [el for el in at.get("plotly_chart") if el.proto.id.endswith("-assist_amounts_chart")]
    assert "筛选范围内的 2 条措施均未填写金额（产业帮扶、就业帮扶）" in " ".join(c.value for c in at.caption)


def test_measures_without_amounts_have_no_amount_and_those_with_keep_theirs(tmp_path: Path) -> None:
    db = tmp_path / "data" / "fupin.duckdb"
    load_files([write_csv(tmp_path / "reg.csv", registry_rows()),
                write_csv(tmp_path / "m.csv", [MEASURES_PROJECTS,
                                               ["H001", "产业帮扶", "养羊", "养殖园", "2019", "3000"],
                                               ["H002", "健康帮扶", "家庭医生", "", "2019", ""],
                                               ["H002", "健康帮扶", "体检", "", "2019", ""],
                                               ["H003", "就业帮扶", "公益岗", "护林", "2020", ""]])], db=db)
    con, _ = snapshot.connect_read(db)
    try:
        amounts = assistance.amounts(con, Filters(), Viewer()).set_index(["year", "category"])["amount_yuan"]
        assert amounts[(2019, "产业帮扶")] == 3000
        assert pd.isna(amounts[(2019, "健康帮扶")]) and pd.isna(amounts[(2020, "就业帮扶")])
        projects = assistance.projects(con, Filters(), Viewer()).set_index("project")["amount_yuan"]
        assert projects["养殖园"] == 3000 and pd.isna(projects["护林"])
        totals = dict(con.execute("SELECT household_id, amount_total FROM hh_facts").fetchall())
        # a household with a measure of 3,000 元; with measures without 金额; without measures: 0
        assert totals["H001"] == 3000 and totals["H002"] is None and totals["H004"] == 0
    finally:
        con.close()


def test_measures_without_an_amount_are_counted_under_the_chart(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A group with an amount may hold measures without one: the chart's sum leaves them out, and says so."""
    conftest.serve_lines(tmp_path, monkeypatch, {
        "reg.csv": [REGISTRY, "甲镇,一村,H1,张一,,户主,已脱贫,2019,因病"],
        "measures.csv": [MEASURES, "H1,产业帮扶,养羊,2019,1000", "H1,产业帮扶,养牛,2019,"]})
    at = conftest.open_page("assistance")
    assert not at.exception
    captions = " ".join(c.value for c in at.caption)
    assert "1 条措施未填写金额，图中金额不含这些措施" in captions and "均未填写金额" not in captions, captions
    table = next(df.value for df in at.dataframe if "其中有金额" in df.value.columns)
    assert table[["措施数", "其中有金额", "金额(元)"]].values.tolist() == [[2, 1, 1000.0]], table


def test_a_cell_whose_priced_measures_move_out_has_no_amount_as_a_rebuild_has_none(tmp_path: Path) -> None:
    """By difference (a load's delta pass), a cell whose last measure with a 金额 left (its household
    exited) summed to 0 元, where a rebuild has no figure: the page drew a 0 bar."""
    db = tmp_path / "data" / "fupin.duckdb"
    others = [f"乙镇,二村,X{i},李{i},,户主,已脱贫,2018,因学" for i in range(300)]  # a county, not two households
    load_files([write_csv(tmp_path / "reg.csv", [REGISTRY.split(","), *(r.split(",") for r in [
        "甲镇,一村,H1,张一,,户主,未脱贫,,因病", "甲镇,一村,H2,张二,,户主,未脱贫,,因病", *others])])], db=db)
    load_files([write_csv(tmp_path / "m.csv", [MEASURES_PROJECTS, ["H1", "产业帮扶", "养羊", "养殖园", "2019", "500"],
                                               ["H2", "产业帮扶", "养牛", "养殖园", "2019", ""]])], db=db)
    load_files([write_csv(tmp_path / "reg2.csv", [REGISTRY.split(","), "甲镇,一村,H1,张一,,户主,已脱贫,2020,因病".split(",")])],
               db=db)
    cur = snapshot.current_snapshot(db)
    assert differences(cur, rebuilt(cur, tmp_path / "r.duckdb"), ["agg_measure", "agg_project"]) == {}
    con, _ = snapshot.connect_read(db)
    try:
        assert con.execute("SELECT exit_status, measures, measures_priced, amount_yuan FROM agg_measure "
                           "ORDER BY 1").fetchall() == [("已脱贫", 1, 1, 500.0), ("未脱贫", 1, 0, None)]
    finally:
        con.close()
