"""The briefing's charts are written from plain figure dicts (`ui.charts.bar_spec` + `spec_div`), never
validated by Plotly on the way: check here that each is a figure Plotly accepts, drawn with the
default template, a row a place, the completeness axis in percent, in both languages."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import duckdb
import plotly.graph_objects as go
import pytest

from queries.filters import Filters, Viewer
from ui import briefing_html
from ui import charts as charts_mod

AS_OF = dt.date(2020, 6, 30)
_PLOT = re.compile(r'<div class="chart"[^>]*><div style="height:(\d+)px; width:100%;">.*?'
                   r'Plotly\.newPlot\("[0-9a-f-]+", (.*?)\)\};</script></div></div>', re.S)


def _charts(doc: str) -> list[tuple[int, list[Any]]]:
    """(div height, [data, layout, config]) of every chart in a briefing."""
    return [(int(h), json.loads(f"[{args}]")) for h, args in _PLOT.findall(doc)]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("flt", [Filters(), Filters(townships=("乌加河镇",))], ids=["banner", "township"])
def test_briefing_charts_are_valid_figures(con: duckdb.DuckDBPyConnection, flt: Filters, lang: str) -> None:
    doc = briefing_html.build(con, flt, Viewer(), lang=lang, as_of=AS_OF, data_as_of=AS_OF)
    charts = _charts(doc)
    template = json.loads(go.Figure().to_json())["layout"]["template"]  # "streamlit" once Streamlit is in
    assert len(charts) == doc.count('class="plotly-graph-div"') == 6
    for height, (data, layout, config) in charts:
        go.Figure(data=data, layout=layout)  # raises on a key or value Plotly does not know
        rows = len({y for tr in data if tr.get("y") is not None for y in tr["y"]})  # places (bars or dots)
        assert height == layout["height"] >= charts_mod.CATEGORY_PX * rows  # the chart's own: a row a place
        assert layout["template"] == template  # the default look, as go.Figure applies it
        assert config == {"displaylogo": False, "responsive": True}
    data, layout, _ = charts[-1][1]
    scores = [v for tr in data for v in tr["x"]]
    if min(scores) >= charts_mod.NEAR_FULL:  # all near 100%: dots on a zoomed axis (ui.charts.near_full)
        assert {tr["type"] for tr in data} == {"scatter"} and 0 < layout["xaxis"]["range"][0] <= min(scores)
    else:
        assert layout["xaxis"]["tickformat"] == ".0%" and layout["xaxis"]["range"] == [0, 1.1]
    segments = {tr["name"]: tr["marker"]["color"] for tr in charts[1][1][0] if tr["type"] == "bar"}
    exited = "Exited" if lang == "en" else "已脱贫"  # codes as labels of the language, same colour
    assert segments[exited] == charts_mod.GOOD_COLOR


def test_no_blank_ill_chart_when_nobody_is_ill(con: duckdb.DuckDBPyConnection) -> None:
    """主要致贫原因 = 缺水 (H10, everyone healthy): the briefing drew the ill-households chart as a blank
    grid with a −1…1 axis, as the health page did; a chart with nothing to draw is left out."""
    from labels import t
    from ui import by_place

    flt = Filters(main_causes=("缺水",))
    doc = briefing_html.build(con, flt, Viewer(), lang="zh", as_of=AS_OF, data_as_of=AS_OF)
    title = by_place.title("health.ill", "township", "zh")
    assert title not in doc
    assert t("insp.series.ill_member_hh", "zh") not in doc
    assert by_place.title("exit.status", "township", "zh") in doc  # the others are drawn
