"""`ui.charts.bar`, the one bar chart of every page and the briefing: categories in order, stacked
segments in the legend's order with their colours, totals written beside each bar, room for them on the
value axis, a title above the legend."""

from __future__ import annotations

import pandas as pd

from ui import charts


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
    totals = next(t for t in fig.data if t.type == "scatter")
    assert [s.strip() for s in totals.text] == ["2", "4", "5"]
    assert list(fig.layout.xaxis.range) == [0, 5 * 1.22]
    assert fig.layout.barmode == "stack" and fig.layout.uniformtext.mode == "hide"
    assert fig.layout.title.text == "各乡镇问题" and fig.layout.margin.t == 90 and fig.layout.margin.l == 10
    assert fig.layout.legend.y == 1.01 and fig.layout.legend.orientation == "h"
    assert fig.layout.height == max(300, 28 * 3 + 140)
    assert fig.layout.xaxis.automargin and fig.layout.yaxis.automargin


def test_single_series_vertical_bar() -> None:
    df = _items().groupby("township", as_index=False)["items"].sum()
    fig = charts.bar(df, "township", "items", order=["乙镇", "丙镇"], height=333)
    assert len(fig.data) == 1 and fig.data[0].textposition == "outside"
    assert list(fig.layout.xaxis.categoryarray) == ["乙镇", "丙镇", "甲镇"]  # given order, then the rest
    assert fig.layout.showlegend is False and fig.layout.height == 333
    assert list(fig.layout.yaxis.range) == [0, 5 * 1.12]
    negative = charts.bar(df.assign(items=df["items"] - 10), "township", "items")
    assert negative.layout.yaxis.range is None  # no room added below zero
