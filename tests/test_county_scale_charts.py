"""Charts at a real county's size: the scaled demo county (etl.scaled_demo: ten townships of 10 to 30
villages, 海流图镇 the largest) loaded into a real DuckDB file, its pages opened with AppTest under one
township, so the "by village" charts hold about 30 places (the demo county's townships have 3 to 5)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests import conftest

BIG_TOWN = conftest.COUNTY_TOWN


@pytest.fixture()
def county_env(county_db: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("FUPIN_DB", str(county_db))
    yield county_db


def chart(at: AppTest, key: str) -> dict:
    found = [json.loads(el.proto.spec) for el in at.get("plotly_chart") if el.proto.id.endswith(f"-{key}")]
    assert len(found) == 1, f"{key}: {len(found)} charts"
    return found[0]


def bar_px(fig: dict) -> tuple[float, int]:
    """(the thickness of one bar, the number of places) of a horizontal bar chart, from its height, margins,
    gap and the bars side by side in a group."""
    layout = fig["layout"]
    bars = [tr for tr in fig["data"] if tr["type"] == "bar"]
    places = len({y for tr in bars for y in tr["y"]})
    side_by_side = len(bars) if layout.get("barmode") == "group" else 1
    plot = layout["height"] - layout["margin"]["t"] - layout["margin"]["b"] - 60  # axis and its title
    return plot / places * (1 - layout.get("bargap", 0.2)) / side_by_side, places


def test_village_bars_keep_their_thickness_in_a_large_township(county_env: Path) -> None:
    """海流图镇's 30 villages: the health page's enrolment chart (3 rates a village) was capped at 1600 px,
    its bars 15 px thin, and Chromium hid every number; the exit-status chart (a stack a village) was
    capped at 900 px. Each bar keeps its thickness however many villages there are."""
    health = conftest.open_page("health", {"town": BIG_TOWN})
    for key in ("health_ill", "health_enrolment"):
        px, places = bar_px(chart(health, key))
        assert places >= 25 and px >= 17, (key, px)
    exits = conftest.open_page("exit_status", {"town": BIG_TOWN})
    fig = chart(exits, "exit_township_chart")
    px, places = bar_px(fig)
    assert places >= 25 and fig["layout"]["height"] >= 28 * places, fig["layout"]["height"]


def bars_of(fig: dict) -> list[dict]:
    return [tr for tr in fig["data"] if tr["type"] == "bar"]


def test_many_villages_are_a_name_a_line(county_env: Path, county_db: Path) -> None:
    """海流图镇's 30 villages on upright bars wrote their names slanted into each other (致贫原因 by village,
    两不愁三保障 by village): past charts.UPRIGHT_MAX_BARS bars they lie down, every village's
    name on a line of its own, the first place of the table on top; the county's ten townships stay upright."""
    import duckdb

    with duckdb.connect(str(conftest.current_snapshot(county_db)), read_only=True) as con:
        villages = {r[0] for r in con.execute("SELECT DISTINCT village FROM households WHERE township = ?",
                                              [BIG_TOWN]).fetchall()}
    assert len(villages) > 25
    causes = conftest.open_page("causes", {"town": BIG_TOWN})
    exits = conftest.open_page("exit_status", {"town": BIG_TOWN})
    for fig in (chart(causes, "causes_township_chart"), chart(exits, "exit_assurance_chart")):
        bars = bars_of(fig)
        assert {tr.get("orientation") for tr in bars} == {"h"}
        assert {y for tr in bars for y in tr["y"]} == villages
        assert fig["layout"]["height"] >= 28 * len(villages)
    assurance_top = chart(exits, "exit_assurance_chart")["layout"]["yaxis"]["categoryarray"][-1]
    table = next(d.value for d in exits.dataframe if "住房不安全" in d.value.columns)
    assert assurance_top == table["行政村"].iloc[0]
    county = conftest.open_page("causes")
    assert {tr.get("orientation", "v") for tr in bars_of(chart(county, "causes_township_chart"))} == {"v"}


def test_a_selected_bar_gives_its_category_on_either_axis() -> None:
    """A click on a horizontal bar gives its place as y (x is its value): `selected(key, "category")`
    reads the place on either axis, so the causes chart's click filters the township it showed."""
    import streamlit as st

    from ui import charts

    st.session_state["k_h"] = {"selection": {"points": [{"x": 12, "y": "乌兰呼都格嘎查", "customdata": "因病"}]}}
    st.session_state["k_v"] = {"selection": {"points": [{"x": "海流图镇", "y": 0.5}]}}
    assert charts.selected("k_h", "category") == ["乌兰呼都格嘎查"]
    assert charts.selected("k_v", "category") == ["海流图镇"]


def test_grouped_bars_of_ten_townships_keep_their_numbers(county_env: Path) -> None:
    """两不愁三保障 for the whole county: 4 bars side by side for each of 10 townships, upright, were ~20 px
    wide, and Chromium hid every three-digit number ("265" households with unsafe water in 海流图镇, the
    county's largest figure, had none). 40 bars lie down, each thick enough for its number."""
    fig = chart(conftest.open_page("exit_status"), "exit_assurance_chart")
    bars = bars_of(fig)
    assert {tr.get("orientation") for tr in bars} == {"h"}
    px, places = bar_px(fig)
    assert places == 10 and px >= 17, px
    for tr in bars:  # every bar of a value has its number, written past its end
        assert all(text for v, text in zip(tr["x"], tr["text"], strict=True) if v), tr["name"]
        assert tr["textposition"] == "outside"


def test_rate_bars_keep_a_row_a_village() -> None:
    """三率一度 by village for a township of 40 villages: the rate chart was capped at 900 px (19 px a
    village, names on top of each other); each village keeps its row."""
    from ui import charts

    villages = [f"乌兰呼都格嘎查第{i}牧业社" for i in range(40)]
    df = pd.DataFrame({"village": villages, "rate": [0.01 * (i % 5) for i in range(40)],
                       "lo": 0.0, "hi": 0.08, "ok": True})
    fig = charts.rate_bars(df, "village", "rate", "lo", "hi", "ok", 0.03, line_label="3%")
    plot = fig.layout.height - fig.layout.margin.t - fig.layout.margin.b - 60
    assert plot / len(villages) >= charts.CATEGORY_PX - 2, fig.layout.height


def test_count_axes_write_numbers_as_the_bars_do(county_env: Path) -> None:
    """分年度脱贫户数 of a county of 38,000 households: the cumulative panel ticked "10k 20k 30k" over a
    panel ticking "4000": every count axis writes its ticks as the bars write their numbers (35,003)."""
    fig = chart(conftest.open_page("exit_status"), "exit_year_chart")
    axes = {k: v for k, v in fig["layout"].items() if k.startswith("yaxis")}
    assert len(axes) == 2 and all(a.get("tickformat") == "," for a in axes.values()), axes


def test_the_visit_list_counts_as_the_line_below_it(county_env: Path) -> None:
    """入户走访 of a county: "共 2943 户符合至少一条规则。" above "显示前 50 条，共 2,943 条": the count is written
    with its thousands separator, as every other count on the page."""
    import re

    at = conftest.open_page("visits")
    line = next(c.value for c in at.caption if "符合至少一条规则" in c.value)
    n = re.search(r"共 ([\d,]+) 户", line).group(1)
    assert int(n.replace(",", "")) >= 1000 and n == f"{int(n.replace(',', '')):,}", line


def test_a_rate_nobody_recorded_is_said_not_drawn_as_an_empty_slot(county_env: Path) -> None:
    """The scaled county's registry has no 参加大病保险 column: its rate was a blank third of every
    village's group (25 villages, ~2,600 px). The chart draws the recorded rates only; the caption under
    it names the one not recorded."""
    health = conftest.open_page("health", {"town": BIG_TOWN})
    series = {tr["name"] for tr in chart(health, "health_enrolment")["data"] if tr["type"] == "bar"}
    assert series == {"基本医保参保率", "家庭医生签约率"}, series
    assert any("大病保险参保率" in c.value for c in health.caption)
