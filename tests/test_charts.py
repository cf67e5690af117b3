"""`ui.charts.bar`, the one bar chart of every page and the briefing: categories in order, stacked
segments in the legend's order with their colours, totals written beside each bar, room for them on the
value axis, a title above the legend."""

from __future__ import annotations

import itertools
import json
import re
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from ui import charts, profile_html


def _items() -> pd.DataFrame:
    return pd.DataFrame({"township": ["甲镇", "甲镇", "乙镇", "乙镇", "丙镇"],
                         "status": ["已整改", "逾期", "已整改", "逾期", "已整改"],
                         "items": [3, 1, 5, 0, 2]})


def test_stacked_horizontal_bar() -> None:
    fig = charts.bar(_items(), "township", "items", color="status", orientation="h", x_title="乡镇", y_title="问题",
                     color_order=["逾期", "已整改"], title="各乡镇问题")
    bars = [t for t in fig.data if t.type == "bar"]
    assert [b.name for b in bars] == ["逾期", "已整改"]
    assert bars[1].marker.color == charts.color_for("已整改")
    # horizontal: smallest total first (Plotly draws the first category at the bottom)
    assert list(fig.layout.yaxis.categoryarray) == ["丙镇", "甲镇", "乙镇"]
    assert fig.layout.yaxis.title.text == "乡镇" and fig.layout.xaxis.title.text == "问题"
    assert list(bars[0].text) == ["1", ""]  # a zero segment carries no number
    # a bar of its own does: a 0.0% pass rate without one read as a missing value (a probe)
    rates = charts.bar(pd.DataFrame({"check": ["身份证", "住房情况"], "rate": [0.8, 0.0]}), "check", "rate",
                       orientation="h", text_format="{:.1%}")
    assert list(rates.data[0].text) == ["0.0%", "80.0%"]
    totals = next(t for t in fig.data if t.type == "scatter")
    assert [s.strip() for s in totals.text] == ["2", "4", "5"]
    low, high = fig.layout.xaxis.range
    assert low == 0 and high > 5  # room beside the longest bar for its total
    assert fig.layout.barmode == "stack" and fig.layout.uniformtext.mode == "hide"
    assert fig.layout.title.text == "各乡镇问题" and fig.layout.showlegend
    assert fig.layout.xaxis.automargin and fig.layout.yaxis.automargin  # long names push the plot, never cut
    # (that the title, the legend and the plot do not overlap is checked where it shows: in chromium,
    # tests/e2e/test_chart_layout.py)


def test_horizontal_bars_keep_their_thickness() -> None:
    """A horizontal chart grows with its categories: each bar keeps room for its label."""
    def height(n: int) -> int:
        df = pd.DataFrame({"village": [f"村{i}" for i in range(n)], "items": range(1, n + 1)})
        return int(charts.bar(df, "village", "items", orientation="h").layout.height)

    assert height(3) <= height(10) < height(20)
    assert height(20) >= 20 * 20  # at least 20 px a bar


def test_single_series_vertical_bar() -> None:
    df = _items().groupby("township", as_index=False)["items"].sum()
    fig = charts.bar(df, "township", "items", order=["乙镇", "丙镇"], height=333)
    assert len(fig.data) == 1 and fig.data[0].textposition == "outside"
    assert list(fig.layout.xaxis.categoryarray) == ["乙镇", "丙镇", "甲镇"]  # given order, then the rest
    assert fig.layout.showlegend is False and fig.layout.height == 333  # the height asked for
    low, high = fig.layout.yaxis.range
    assert low == 0 and high > 5  # room above the tallest bar for its number
    negative = charts.bar(df.assign(items=df["items"] - 10), "township", "items")
    assert negative.layout.yaxis.range is None  # no room added below zero


# --- the plain spec behind `bar`, and the HTML writer of the briefing ------------------------------

_SCRIPT = re.compile(r'Plotly\.newPlot\(\s*"([0-9a-f-]+)",\s*(.*)\)\s*\};?\s*</script>', re.S)


def _plot_args(div: str) -> list[Any]:
    """[data, layout, config] of the Plotly.newPlot call in a chart div."""
    match = _SCRIPT.search(div)
    assert match is not None, div[:300]
    assert f'id="{match.group(1)}" class="plotly-graph-div"' in div
    return json.loads(f"[{match.group(2)}]")


_CASES = [
    pytest.param(dict(color=color, orientation=orientation, barmode=barmode, title=title, customdata=customdata,
                      order=order, color_order=color_order, show_totals=totals, segment_text=segments),
                 id=f"{color}-{orientation}-{barmode}-{title}-{customdata}-{order}-{color_order}-{totals}-{segments}")
    for color, orientation, barmode, title, customdata, order, color_order, totals, segments in itertools.product(
        [None, "status"], ["v", "h"], ["stack", "group"], [None, "T"], [None, "hid"], [None, ("乙镇",)],
        [None, ("逾期",)], [True, False], [True, False])
    if color or (color_order is None and barmode == "stack" and totals and segments)  # others: no effect
]


@pytest.mark.parametrize("kwargs", _CASES)
def test_bar_is_its_spec(kwargs: dict[str, Any]) -> None:
    df = _items().assign(hid=list("abcde"))
    if not kwargs["color"]:
        df = df.drop_duplicates("township")
    spec = charts.bar_spec(df, "township", "items", x_title="乡镇", y_title="问题", **kwargs)
    json.dumps(spec, allow_nan=False)  # plain JSON data: no numpy or pandas values left for the writer
    fig = charts.bar(df, "township", "items", x_title="乡镇", y_title="问题", **kwargs)
    assert go.Figure(spec) == fig  # Plotly validates the spec: every key is one it knows
    # the writer emits what Plotly's to_html emits for the figure (data, layout with template, config)
    plotly_div = fig.to_html(include_plotlyjs=False, full_html=False, config={"displaylogo": False,
                                                                               "responsive": True})
    assert _plot_args(profile_html.spec_div(spec)) == _plot_args(plotly_div)
    assert f'height:{spec["layout"]["height"]}px' in profile_html.spec_div(spec)


def test_bar_segment_without_value() -> None:
    """Rows whose colour is missing belong to no segment (as `df[color] == name` selected them)."""
    df = _items().assign(status=["已整改", None, "已整改", "逾期", "已整改"])
    spec = charts.bar_spec(df, "township", "items", color="status", orientation="h")
    segments = {tr["name"]: tr["y"] for tr in spec["data"] if tr["type"] == "bar"}
    assert segments == {"已整改": ["丙镇", "甲镇", "乙镇"], "nan": [], "逾期": ["乙镇"]}


def test_spec_div_is_safe_in_a_script() -> None:
    """No "</" that would close the script, no "://" in the file; the text reaches Plotly as plain text
    (escaped, which Plotly draws as written); numpy values and NaN serialise."""
    evil = "</script><script>alert(1)</script> http://example.org"
    df = pd.DataFrame({"township": [evil, "乙镇"], "items": [np.int64(3), np.nan]})
    spec = charts.bar_spec(df, "township", "items", x_title=evil)
    spec["data"][0]["customdata"] = np.array([1, 2])  # as a go.Figure's to_plotly_json may carry
    div = profile_html.spec_div(spec)
    script = div[div.index("<script>") + len("<script>"):div.rindex("</script>")]
    assert "</" not in script and "://" not in div and "<script>alert" not in div
    data, layout, config = _plot_args(div)
    shown = charts.plain(evil)
    assert layout["xaxis"]["title"]["text"] == shown and data[0]["x"] == [shown, "乙镇"]
    assert data[0]["y"] == [3, None] and data[0]["customdata"] == [1, 2]
    assert config == {"displaylogo": False, "responsive": True}
    assert layout["template"] == json.loads(go.Figure().to_json())["layout"]["template"]  # as go.Figure


def test_figure_div_writes_through_spec_div() -> None:
    fig = charts.line(pd.DataFrame({"y": [2019, 2020], "n": [np.int64(5), np.int64(7)]}), "y", [("n", "户数")])
    data, layout, _ = _plot_args(profile_html.figure_div(fig))
    assert layout["height"] == 360 and data[0]["name"] == "户数" and data[0]["text"] == ["5", "7"]


def _whole_ticks(axis: dict[str, Any]) -> bool:
    """Every tick of the axis is a whole number: a step of whole numbers from a whole number (without
    a step, Plotly steps a short axis by 0.5 or 0.2)."""
    step, start = axis.get("dtick"), axis.get("tick0", 0)
    return step is not None and float(step).is_integer() and step >= 1 and float(start).is_integer()


@pytest.mark.parametrize("orientation", ["v", "h"])
def test_small_count_axes_have_whole_ticks(orientation: str) -> None:
    """Household counts of 0–3 (a village's exit status, the ageing buckets) tick 0, 1, 2, 3, never
    0.5户; a share axis is left alone."""
    df = pd.DataFrame({"village": ["东风村", "团结村", "新华村"], "households": [1, 3, 2],
                       "status": ["已脱贫", "未脱贫", "已脱贫"]})
    for kwargs in ({}, {"color": "status"}, {"color": "status", "barmode": "group"}):
        spec = charts.bar_spec(df, "village", "households", orientation=orientation, **kwargs)
        assert _whole_ticks(spec["layout"]["xaxis" if orientation == "h" else "yaxis"]), kwargs
    shares = df.assign(share=[0.1, 0.25, 0.5])
    spec = charts.bar_spec(shares, "village", "share", orientation=orientation, text_format="{:.1%}")
    assert "dtick" not in spec["layout"]["xaxis" if orientation == "h" else "yaxis"]


def test_small_count_line_has_whole_ticks() -> None:
    df = pd.DataFrame({"year": ["2019", "2020"], "exited": [1, 2], "cumulative": [1, 3]})
    fig = charts.line(df, "year", [("exited", "当年"), ("cumulative", "累计")], bars=("exited",))
    assert _whole_ticks(fig.layout.yaxis.to_plotly_json())


def test_horizontal_stack_legend_reads_as_its_segments() -> None:
    """Plotly lists a stack's legend reversed; a horizontal stack's segments run left to right as the
    legend does (红 返贫 was listed first, though drawn last); a vertical stack keeps Plotly's order."""
    spec = charts.bar_spec(_items(), "township", "items", color="status", orientation="h")
    assert spec["layout"]["legend"]["traceorder"] == "normal"
    assert "traceorder" not in charts.bar_spec(_items(), "township", "items", color="status")["layout"]["legend"]


def test_amount_axis_has_plain_thousands() -> None:
    """Yuan and counts tick as the bars write them (1,400,000), not Plotly's SI "1.4M" (no 万 reader
    reads "0.2M"); a share axis is left to the page."""
    df = pd.DataFrame({"township": ["甲镇", "乙镇"], "amount": [1_250_149, 7_382]})
    assert charts.bar_spec(df, "township", "amount", orientation="h")["layout"]["xaxis"]["tickformat"] == ","
    shares = df.assign(share=[0.1, 0.5])
    assert "tickformat" not in charts.bar_spec(shares, "township", "share", text_format="{:.0%}")["layout"]["yaxis"]


@pytest.mark.parametrize("places", [2, 10, 30])
def test_grouped_horizontal_bars_read_top_down_with_their_numbers(places: int) -> None:
    """Bars side by side per place (open / overdue items; ill households / with ill members): the first
    series on top of each place as the legend lists it first, and each bar thick enough for its number
    (11 px text, written past the bar's end; thinner bars had their numbers hidden)."""
    df = pd.DataFrame({"place": [f"村{i}" for i in range(places) for _ in range(2)],
                       "series": ["未完成", "逾期"] * places, "n": [6, 2] * places})
    spec = charts.bar_spec(df, "place", "n", color="series", orientation="h", barmode="group")
    bars = [tr for tr in spec["data"] if tr["type"] == "bar"]
    # Plotly draws a group's first trace at the bottom: 未完成 is drawn last, on top; the legend reversed
    assert [tr["name"] for tr in bars] == ["逾期", "未完成"] and spec["layout"]["legend"]["traceorder"] == "reversed"
    assert {tr["textposition"] for tr in bars} == {"outside"} and all(tr["text"][0] for tr in bars)
    layout = spec["layout"]
    plot = layout["height"] - layout["margin"]["t"] - layout["margin"]["b"] - 60  # axis and its title
    bar_px = plot / places * (1 - layout.get("bargap", 0.2)) / len(bars)
    assert bar_px >= layout["uniformtext"]["minsize"] + 2


def test_a_stacked_bar_of_one_segment_says_its_number_once() -> None:
    """联丰奋斗村: 3 exited households and nothing else read "3 3" (inside and as the total beside it): its
    number is written once, beside the bar; a bar of two segments keeps each segment's number and the total."""
    df = pd.DataFrame({"village": ["联丰奋斗村", "红旗村", "红旗村"], "status": ["已脱贫", "已脱贫", "未脱贫"],
                       "n": [3, 1, 1]})
    spec = charts.bar_spec(df, "village", "n", color="status", orientation="h")
    inside = {(c, t) for tr in spec["data"] if tr["type"] == "bar" for c, t in zip(tr["y"], tr["text"], strict=True)}
    assert ("联丰奋斗村", "") in inside and {("红旗村", "1")} <= inside
    total = next(tr for tr in spec["data"] if tr["type"] == "scatter")
    assert [t.strip() for t in total["text"]] == ["2", "3"]  # horizontal: the largest on top, drawn last


def test_share_labels_never_round_to_a_false_100_or_0_percent() -> None:
    """参保率 99.5% was labelled 100% at 0 decimals (hiding a gap), a 0.02% incidence 0.0%."""
    from ui.charts import value_text

    assert value_text("{:.0%}", 0.995) == "99%" and value_text("{:.0%}", 1.0) == "100%"
    assert value_text("{:.1%}", 0.9996) == "99.9%" and value_text("{:.1%}", 0.9994) == "99.9%"
    assert value_text("{:.1%}", 0.0002) == "<0.1%" and value_text("{:.1%}", 0.0) == "0.0%"
    assert value_text("{:.1%}", 0.125) == "12.5%" and value_text("{:,.0f}", 1234.0) == "1,234"


def _is_grey(colour: str) -> bool:
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return max(r, g, b) - min(r, g, b) < 24


def test_grey_is_for_no_cause_only() -> None:
    """缺劳力 (the demo's second cause) was dark grey beside 其他 and 未填写, three greys in one stack: a
    real cause has a colour of its own in both languages, grey says "no particular cause" only."""
    from etl.codes import CODE_LISTS
    from labels import code_label

    causes = [c for c in CODE_LISTS["main_cause"] if c != "其他"]
    colours = {c: charts.color_for(c) for c in causes}
    assert not [c for c, colour in colours.items() if _is_grey(colour)], colours
    assert len(set(colours.values())) == len(causes), colours  # told apart from each other too
    assert all(charts.color_for(code_label(c, "en")) == colours[c] for c in causes)
    assert _is_grey(charts.color_for("其他")) and _is_grey(charts.color_for("未填写"))


def test_a_short_chart_s_legend_clears_its_top_bar() -> None:
    """Three causes stacked by attribute: the legend at 1.02 of a short plot sat 3 px above it, and its
    white box cut a notch into the top bar (a browser review). It is now ~6 px above whatever the
    height, and has no box of its own."""
    df = pd.DataFrame({"cause": ["因病", "因病", "因残", "缺劳力"], "attr": ["一般贫困户", "低保贫困户", "一般贫困户", "特困供养贫困户"],
                       "n": [3, 4, 1, 1]})
    spec = charts.bar_spec(df, "cause", "n", color="attr", orientation="h")
    legend, height = spec["layout"]["legend"], spec["layout"]["height"]
    plot = height - spec["layout"]["margin"]["t"] - spec["layout"]["margin"]["b"]
    assert (legend["y"] - 1) * plot >= 5.9 and legend["yanchor"] == "bottom"
    assert legend["bgcolor"] == "rgba(0,0,0,0)"


def test_rates_all_near_full_are_dots_on_a_zoomed_axis() -> None:
    """An archive's completeness of 98.5%–100% as bars from 0 looked equally long (a browser review):
    such rates are dots on an axis from just below the lowest, ticked up to 100%; lower rates stay bars."""
    near = pd.DataFrame({"township": ["甲镇", "乙镇", "丙镇"], "score": [0.985, 0.996, 1.0]})
    spec = charts.near_full(charts.bar_spec(near, "township", "score", orientation="h", text_format="{:.1%}"))
    (dots,) = spec["data"]
    assert (dots["type"], dots["mode"]) == ("scatter", "markers+text")
    assert dots["text"] == ["98.5%", "99.6%", "100.0%"]
    axis = spec["layout"]["xaxis"]
    assert axis["range"][0] == 0.98 and axis["range"][1] > 1
    assert axis["tickvals"][0] == 0.98 and axis["tickvals"][-1] == 1.0 and len(axis["tickvals"]) <= 6
    low = near.assign(score=[0.62, 0.996, 1.0])
    spec = charts.near_full(charts.bar_spec(low, "township", "score", orientation="h", text_format="{:.1%}"))
    assert spec["data"][0]["type"] == "bar"
    charts.unvalidated(charts.near_full(charts.bar_spec(near, "township", "score", orientation="h")))  # draws


def test_a_passing_rate_whose_interval_crosses_the_line_is_drawn_unsure() -> None:
    """Against a 3% line: 0.5% with an interval to 7.8% passes but the sample cannot confirm it (orange;
    it was green), 0.1% to 2.9% passes (green), 4% misses (red), no figure stays grey."""
    df = pd.DataFrame({"township": ["甲", "乙", "丙", "丁"], "rate": [0.005, 0.001, 0.04, 0.0],
                       "lo": [0.0, 0.0, 0.03, None], "hi": [0.078, 0.029, 0.05, None],
                       "ok": [True, True, False, None]})
    fig = charts.rate_bars(df, "township", "rate", "lo", "hi", "ok", 0.03, line_label="3%")
    assert list(fig.data[0].marker.color) == [charts.UNSURE_COLOR, charts.PASS_COLOR, charts.FAIL_COLOR,
                                              charts.NO_FIGURE_COLOR]
    # a dot of the same colour at each value: 0.0% has no bar to colour (a browser review)
    dots = fig.data[-1]
    assert dots.mode == "markers" and list(dots.x) == [0.005, 0.001, 0.04, 0.0]
    assert list(dots.marker.color) == list(fig.data[0].marker.color)


@pytest.mark.parametrize("code_list", ["main_cause", "intervention_category", "household_attribute", "exit_status",
                                       "monitoring_type", "rectification_status"])
def test_the_codes_of_one_chart_have_colours_told_apart(code_list: str) -> None:
    """Every two codes of a list (未填写 among them) at least 50 apart in RGB: 其他 and 未填写 were two light
    greys 31 apart, 产业/生态 and 就业/饮水 a hue and its light shade (a browser review)."""
    import itertools
    import math

    from etl.codes import CODE_ORDER

    def rgb(colour: str) -> tuple[int, ...]:
        return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))

    codes = [*CODE_ORDER[code_list], "未填写"]
    assert all(c in charts.COLORS for c in codes), [c for c in codes if c not in charts.COLORS]
    closest = min((math.dist(rgb(charts.COLORS[a]), rgb(charts.COLORS[b])), a, b)
                  for a, b in itertools.combinations(codes, 2))
    assert closest[0] >= 50, closest


@pytest.mark.parametrize("orientation", ["h", "v"])
def test_ties_read_in_the_rows_order(orientation: str) -> None:
    """Equal bars read in the order of the rows (the table beside the chart lists them so): left to right,
    or top to bottom on a horizontal chart, whose first category Plotly draws at the bottom. The archive
    page's rules with 6 issues each read B, A in the chart and A, B in the table."""
    df = pd.DataFrame({"rule": ["甲", "乙", "丙", "丁"], "issues": [9, 6, 6, 2]})
    fig = charts.bar(df, "rule", "issues", orientation=orientation)
    axis = fig.layout.yaxis if orientation == "h" else fig.layout.xaxis
    as_read = list(axis.categoryarray)[::-1] if orientation == "h" else list(axis.categoryarray)
    assert as_read == ["甲", "乙", "丙", "丁"]
