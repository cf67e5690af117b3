"""A share's hover label is written with two decimals, as the tables and downloads write it (a probe of
numbers and rounding in a browser, 2026-12-07): Plotly writes a bar's value in its hover label with the
axis' tick format (`.0%`), so 99.6% of members insured hovered as "(100%, 乙镇) 99.6%" and a wrong-exit rate
of 2.04% over its 2% line as "(2%, …)". Every figure leaves through ui.charts.safe_spec, which now gives a
share axis a hover format of its own; a date axis (`%Y-%m-%d`) keeps its own. The page through AppTest."""

from __future__ import annotations

import json
from pathlib import Path

import plotly.graph_objects as go

from tests import conftest
from ui import charts


def test_safe_spec_gives_share_axes_a_hover_format() -> None:
    fig = go.Figure(go.Bar(x=[0.996], y=["乙镇"], orientation="h"))
    fig.update_xaxes(tickformat=".0%")
    fig.update_yaxes(tickformat="%Y-%m-%d")
    layout = charts.safe_spec(fig)["layout"]
    assert layout["xaxis"]["hoverformat"] == ".2%"
    assert "hoverformat" not in layout["yaxis"]
    fig.update_xaxes(hoverformat=".1%")  # a chart's own choice stays
    assert charts.safe_spec(fig)["layout"]["xaxis"]["hoverformat"] == ".1%"


def test_the_health_pages_share_charts_hover_with_two_decimals(app_db: Path) -> None:
    at = conftest.open_page("health")
    specs = {el.proto.id.split("-")[-1]: json.loads(el.proto.spec) for el in at.get("plotly_chart")}
    for key in ("health_enrolment", "health_oop_share"):
        assert specs[key]["layout"]["xaxis"]["tickformat"] == ".0%"
        assert specs[key]["layout"]["xaxis"]["hoverformat"] == ".2%", key
