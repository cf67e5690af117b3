"""With one township in view, the breakdowns "by township" are by village (the one switch,
queries.filters.area_level): the queries at village level on the fixture county, and the pages' charts
on the demo county opened with ?town=德岭山镇, whose categories must be that township's villages
(the exit-status page's are in test_exit_charts.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
from streamlit.testing.v1 import AppTest

from labels import t
from queries import exits, health, meta, rectification
from queries.filters import Filters, Viewer
from tests import conftest
from ui import briefing_html, by_place

V = Viewer()
DLS = Filters(townships=("德岭山镇",))
AS_OF = conftest.AS_OF
TOWN = conftest.DEMO_TOWN


# ---- queries at village level (fixture county) ----------------------------------------------------


def test_wrong_exits_by_village(con: duckdb.DuckDBPyConnection) -> None:
    # 德岭山镇's exited households: H05 and H12 in 兴丰村, H08 (unsafe water: a wrong exit) in 胜利村
    w = exits.wrong_exits(con, DLS, V, level="village").set_index("village")
    assert set(w["township"]) == {TOWN}
    assert w.loc["胜利村", ["exited", "wrong_exits"]].tolist() == [1, 1]
    assert w.loc["兴丰村", ["exited", "wrong_exits"]].tolist() == [2, 0]
    assert bool(w.loc["胜利村", "over_limit"]) and not bool(w.loc["兴丰村", "over_limit"])


def test_rectification_status_by_village(con: duckdb.DuckDBPyConnection) -> None:
    # 乌加河镇: R1 is a township-level item (no village), R2 is 联丰奋斗村's
    by = rectification.status_by_township(con, Filters(townships=("乌加河镇",)), V, AS_OF, level="village")
    assert by["village"].isna().sum() == 1
    assert set(by["village"].dropna()) == {"联丰奋斗村"}
    assert by["items"].sum() == 2
    by = rectification.status_by_township(con, DLS, V, AS_OF, level="village")
    assert by[["village", "status", "items"]].values.tolist() == [["兴丰村", "已销号", 1]]


def test_health_by_village(con: duckdb.DuckDBPyConnection) -> None:
    ill = health.ill_by_township(con, DLS, V, level="village").set_index("village")
    # 兴丰村: H05, H06 因病 (H12 因灾); 胜利村: H07 (other cause 因病), H08 none
    assert ill["ill_cause_households"].to_dict() == {"兴丰村": 2, "胜利村": 1}
    enr = health.enrolment_by_township(con, DLS, V, level="village").set_index("village")
    assert enr["all_members"].to_dict() == {"兴丰村": 6, "胜利村": 5}
    claims = health.claims_by_township(con, DLS, V, 2020, level="village")
    assert claims[["village", "claims", "total_cost", "out_of_pocket"]].values.tolist() == [["兴丰村", 1, 20000, 2000]]


# ---- pages with ?town=德岭山镇 (demo county) ---------------------------------------------------------


def chart(at: AppTest, key: str) -> dict:
    """The figure (plain JSON) of the chart drawn with this key."""
    found = [json.loads(el.proto.spec) for el in at.get("plotly_chart") if el.proto.id.endswith(f"-{key}")]
    assert len(found) == 1, f"{key}: {len(found)} charts"
    return found[0]


def categories(fig: dict) -> set[str]:
    """The places of a horizontal chart (its bars' y values, or its dots': rates near 100%, ui.charts.near_full)."""
    return {str(y) for tr in fig["data"] if tr["type"] == "bar" or tr.get("mode") == "markers+text" for y in tr["y"]}


def test_rectification_chart_by_village(demo_env: Path, villages: set[str]) -> None:
    at = conftest.open_page("rectification", {"town": TOWN})
    fig = chart(at, "rect_by_status")
    assert categories(fig) and categories(fig) <= villages | {t("insp.rect.township_items")}
    assert fig["layout"]["yaxis"]["title"]["text"] == t("field.village")
    assert t("insp.rect.by_status_village") in [s.value for s in at.subheader]


def test_health_charts_by_village(demo_env: Path, villages: set[str]) -> None:
    at = conftest.open_page("health", {"town": TOWN})
    for key in ("health_ill", "health_enrolment"):
        assert categories(chart(at, key)) == villages, key
    for key in ("health_claims", "health_oop_share"):  # the villages with claims
        assert categories(chart(at, key)) and categories(chart(at, key)) <= villages, key
    heads = [s.value for s in at.subheader]
    assert t("insp.health.ill_by_village") in heads and t("insp.health.claims_village") in heads
    oop = chart(at, "health_oop_share")  # the target's line is inside the axis
    assert oop["layout"]["xaxis"]["range"][1] > oop["layout"]["shapes"][0]["x0"]
    # the enrolment chart lists the places in its table's order, the first row on top
    table = next(d.value for d in at.dataframe if "参加基本医保" in d.value.columns)
    enrolment = chart(at, "health_enrolment")["layout"]["yaxis"]
    assert list(enrolment["categoryarray"])[::-1] == list(table["行政村"])


def test_quality_chart_by_village(demo_env: Path, villages: set[str]) -> None:
    """One township: the completeness chart is its villages' (a single township bar before), under the
    by-village title; the whole county's is by township."""
    at = conftest.open_page("quality", {"town": TOWN})
    assert categories(chart(at, "quality_towns")) == villages
    heads = [s.value for s in at.subheader]
    assert heads.count(t("insp.quality.by_village")) == 1 and t("insp.quality.by_township") not in heads
    county = conftest.open_page("quality")
    assert TOWN in categories(chart(county, "quality_towns")) and len(categories(chart(county, "quality_towns"))) > 1


def test_inspection_rates_charts_by_village(demo_env: Path, villages: set[str]) -> None:
    at = conftest.open_page("inspection_rates", {"town": TOWN})
    figs = [json.loads(el.proto.spec) for el in at.get("plotly_chart") if "-rates_chart_" in el.proto.id]
    assert figs
    for fig in figs:
        assert categories(fig) and categories(fig) <= villages
        assert fig["layout"]["title"]["text"].endswith("（按村）")


def test_claims_chart_writes_the_total_cost_the_table_shows(demo_env: Path) -> None:
    """Each claims bar is written with its 总费用 (rounded like the table), not the sum of its parts; where
    the parts of a claim do not add up, the caption says where and by how much."""
    at = conftest.open_page("health", {})
    fig = chart(at, "health_claims")
    written = next(tr for tr in fig["data"] if tr["type"] == "scatter")
    labels = {str(y): txt.strip() for y, txt in zip(written["y"], written["text"], strict=True)}
    table = next(d.value for d in at.dataframe if "总费用" in d.value.columns and "乡(镇)" in d.value.columns)
    for town, total in zip(table["乡(镇)"], table["总费用"], strict=True):
        assert labels[town] == f"{total:,.0f}", town
    assert labels["新忽热苏木"] == "467,459"  # its claims' parts add up to 467,959
    off = next(c.value for c in at.caption if "两者不等" in c.value)
    assert "新忽热苏木两者不等" in off and "共差 500 元" in off


# ---- the briefing (demo county) --------------------------------------------------------------------

_TITLED_CHART = re.compile(r'<h3>([^<]*)</h3><div class="chart"[^>]*>.*?Plotly\.newPlot\("[0-9a-f-]+", (.*?)\)\};</script>', re.S)


def place_charts(doc: str, level: str, lang: str) -> dict[str, set[str]]:
    """Title -> places of every chart of a briefing whose category axis is `level`."""
    out = {}
    for title, args in _TITLED_CHART.findall(doc):
        data, layout, _ = json.loads(f"[{args}]")
        if layout["yaxis"].get("title", {}).get("text") == t(f"field.{level}", lang):
            out[title] = categories({"data": data})
    return out


def test_one_township_briefing_is_by_village(demo_con: duckdb.DuckDBPyConnection, villages: set[str]) -> None:
    """The 德岭山镇 briefing breaks every place chart down by village, under the pages' titles naming
    villages; the whole county's briefing stays by township."""
    as_of = meta.data_as_of(demo_con)
    towns = {r[0] for r in demo_con.execute("SELECT DISTINCT township FROM households").fetchall()}
    for lang in ("zh", "en"):
        doc = briefing_html.build(demo_con, DLS, V, lang=lang, as_of=as_of, data_as_of=as_of)
        charts = place_charts(doc, "village", lang)
        assert set(charts) == {by_place.title(b, "village", lang) for b in by_place.TITLES}
        assert not place_charts(doc, "township", lang)  # no single-township bar left
        rect = by_place.title("rect.status", "village", lang)  # the demo's items are in one village of it
        for title, places in charts.items():
            assert places and places <= villages | {t("insp.rect.township_items", lang)}, title
            assert len(places) > 1 or title == rect, title
        county = place_charts(briefing_html.build(demo_con, Filters(), V, lang=lang, as_of=as_of,
                                                  data_as_of=as_of), "township", lang)
        assert set(county) == {by_place.title(b, "township", lang) for b in by_place.TITLES}
        for title, places in county.items():
            assert len(places) > 1 and places <= towns, title
    assert "各村" in by_place.title("rect.status", "village", "zh")
    assert "village" in by_place.title("rect.status", "village", "en")


def test_quality_chart_worst_on_top(demo_env: Path) -> None:
    """"最差在前": the lowest completeness is the top bar (the last category: Plotly draws the first at
    the bottom), as the table below lists it first; the best was on top."""
    fig = chart(conftest.open_page("quality"), "quality_towns")
    bar = next(tr for tr in fig["data"] if tr["type"] == "bar" or tr.get("mode") == "markers+text")  # or dots
    score = dict(zip(bar["y"], bar["x"], strict=True))
    order = fig["layout"]["yaxis"]["categoryarray"]
    assert score[order[-1]] == min(score.values()) and score[order[0]] == max(score.values())
    assert max(fig["layout"]["xaxis"]["tickvals"]) == 1  # no "120%" tick in the room for the values


def test_coverage_heatmap_keeps_every_category_and_writes_zero(demo_env: Path) -> None:
    """Under a filter, a category no household of the view has is still a column, each unreached cell
    reading 0% (categories disappeared, cells were blank)."""
    from etl.codes import CODE_ORDER

    fig = chart(conftest.open_page("assistance", {"town": TOWN, "cause": "因病"}), "assist_coverage_chart")
    heat = next(tr for tr in fig["data"] if tr["type"] == "heatmap")
    assert len(heat["x"]) >= len(CODE_ORDER["intervention_category"])
    cells = [c for row in heat["text"] for c in row]
    assert "0%" in cells and "" not in cells


def test_township_tables_follow_the_sidebar_order(demo_con: duckdb.DuckDBPyConnection) -> None:
    """The health page's enrolment table listed the townships by name, the sidebar by statistical code."""
    from queries.filters import township_order

    towns = list(health.enrolment_by_township(demo_con, Filters(), V)["township"])
    assert len(towns) > 2 and towns == list(township_order(towns)) and towns != sorted(towns)
