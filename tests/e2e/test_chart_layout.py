"""The bar chart as chromium draws it (`ui.charts.bar_spec` through the briefing's writer): the title, the
legend and the plot do not overlap, and the chart shows the categories and segments it was given, at a
wide and a narrow width, with few and with many categories."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from ui import charts, profile_html

pytestmark = pytest.mark.e2e

TOWNS = ["海流图镇", "乌加河镇", "德岭山镇", "石哈河镇", "甘其毛都镇", "温更镇", "呼勒斯太苏木", "川井苏木",
         "巴音乌兰苏木", "新忽热苏木"]
STATUSES = ["逾期未整改", "整改中", "已整改"]


def _items(n_towns: int) -> pd.DataFrame:
    rows = [(town, status, (i * 7 + j * 3) % 11 + 1) for i, town in enumerate(TOWNS[:n_towns])
            for j, status in enumerate(STATUSES)]
    return pd.DataFrame(rows, columns=["township", "status", "items"])


def _box(page: Any, selector: str) -> dict[str, float]:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return box


def _above(upper: dict[str, float], lower: dict[str, float]) -> bool:
    return upper["y"] + upper["height"] <= lower["y"] + 0.5


@pytest.mark.parametrize("width", [1400, 700])
@pytest.mark.parametrize("n_towns", [3, 10])
@pytest.mark.parametrize("orientation", ["h", "v"])
def test_title_legend_and_plot_do_not_overlap(page: Any, tmp_path: Path, width: int, n_towns: int,
                                             orientation: str) -> None:
    spec = charts.bar_spec(_items(n_towns), "township", "items", color="status", orientation=orientation,
                           x_title="乡镇", y_title="问题数", color_order=STATUSES, title="各乡镇问题整改情况")
    html = tmp_path / "chart.html"
    html.write_text(profile_html.document("chart", profile_html.spec_div(spec), "zh"), encoding="utf-8")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(html.as_uri())
    page.locator(".plotly-graph-div .gtitle").first.wait_for(timeout=30_000)
    title, legend, plot = _box(page, ".gtitle"), _box(page, ".legend"), _box(page, ".nsewdrag")
    assert _above(title, legend), (title, legend)  # the title above the legend
    assert _above(legend, plot), (legend, plot)  # the legend above the plot area
    chart = _box(page, ".plotly-graph-div")
    assert title["y"] >= chart["y"] - 1 and title["x"] >= chart["x"] - 1  # inside the chart, not cut off
    # what the chart shows: every segment once in the legend, every township on the category axis
    names = page.locator(".legend .legendtext").all_text_contents()
    assert sorted(names) == sorted(STATUSES)
    ticks = page.locator(".ytick text" if orientation == "h" else ".xtick text").all_text_contents()
    assert sorted(ticks) == sorted(TOWNS[:n_towns])


TREND_SERIES = [("registered", "建档立卡户"), ("exited", "已脱贫户"), ("monitored", "监测对象"), ("returned", "返贫户"),
                ("open", "未完成整改"), ("overdue", "逾期整改"), ("measures", "措施覆盖户"), ("followed", "慢病随访合规人数")]


@pytest.mark.parametrize("width", [820, 1460, 700])  # the overview at 1280 and 1920 px, the briefing on A4
@pytest.mark.parametrize("loads", [2, 6])
@pytest.mark.parametrize("height", [None, 420])  # the overview's own height, the briefing's
def test_trend_titles_clear_of_the_dates_above(page: Any, tmp_path: Path, width: int, loads: int,
                                              height: int | None) -> None:
    """The overview's key-figure trends: the second row's titles (未完成整改 …) sat on the first row's
    slanted dates (2020-06-30) at 1280 and 1920 px. Every title is below every date of the row above."""
    dates = pd.date_range("2019-12-31", periods=loads, freq="QE").strftime("%Y-%m-%d")
    frame = pd.DataFrame({"as_of": dates, **{col: [600 + 10 * i for i in range(loads)] for col, _ in TREND_SERIES}})
    fig = charts.trends(frame, "as_of", TREND_SERIES, **({"height": height} if height else {}))
    body = "<style>body { max-width: none; }</style>" + profile_html.spec_div(fig.to_plotly_json())
    html = tmp_path / "trends.html"
    html.write_text(profile_html.document("trends", body, "zh"), encoding="utf-8")
    page.set_viewport_size({"width": width + 32, "height": 900})  # the body's padding
    page.goto(html.as_uri())
    page.locator(".plotly-graph-div .annotation-text").first.wait_for(timeout=30_000)
    titles = [b for b in (t.bounding_box() for t in page.locator(".annotation-text").all()) if b]
    ticks = [b for b in (t.bounding_box() for t in page.locator(".xaxislayer-above text").all()) if b]
    assert len(titles) == len(TREND_SERIES) and len(ticks) == len(TREND_SERIES) * loads
    second_row = [b for b in titles if b["y"] > min(t["y"] for t in titles) + 1]
    assert len(second_row) == 4, titles
    first_row_ticks = [b for b in ticks if b["y"] < second_row[0]["y"]]
    assert len(first_row_ticks) == 4 * loads
    lowest_date = max(b["y"] + b["height"] for b in first_row_ticks)
    assert all(_above({"y": lowest_date, "height": 0}, {**b, "y": b["y"] - 4}) for b in second_row), (
        lowest_date, second_row)  # and 4 px of air between them


CAUSES = {"因病": 13315, "缺劳力": 6836, "因残": 5674, "缺资金": 3064, "缺技术": 3050, "因灾": 1572, "因学": 1456,
          "缺水": 803, "自身发展动力不足": 766, "缺土地": 739, "其他": 379, "交通条件落后": 354, "未填写": 17}


@pytest.mark.parametrize("width", [1366, 390])
def test_bar_texts_fit_the_chart_on_a_phone(page: Any, tmp_path: Path, width: int) -> None:
    """The causes chart writes each bar's count and share past its end ("13,315（35.0%）", `texts`): on a
    390 px phone the axis' headroom is ~40 px and the top bar's text ran past the chart's edge, read
    "13,315（35."; the right margin holds the widest text."""
    df = pd.DataFrame({"cause": list(CAUSES), "n": list(CAUSES.values())})
    total = sum(CAUSES.values())
    texts = {c: f"{n:,}（{n / total:.1%}）" for c, n in CAUSES.items()}
    spec = charts.bar_spec(df.assign(color=df["cause"]), "cause", "n", color="color", orientation="h",
                           show_totals=False, texts=texts)
    for trace in spec["data"]:
        trace["textposition"] = "outside"
    spec["layout"]["showlegend"] = False
    html = tmp_path / "chart.html"
    html.write_text(profile_html.document("chart", profile_html.spec_div(spec), "zh"), encoding="utf-8")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(html.as_uri())
    page.locator(".plotly-graph-div .bartext").first.wait_for(timeout=30_000)
    chart = _box(page, ".plotly-graph-div .main-svg")
    written = page.locator(".bartext")
    assert sorted(written.all_text_contents()) == sorted(texts.values())  # every text shown, none hidden
    for i in range(written.count()):
        box = written.nth(i).bounding_box()
        assert box is not None and box["x"] + box["width"] <= chart["x"] + chart["width"] + 0.5, \
            (written.nth(i).text_content(), box, chart)



@pytest.mark.parametrize("width", [1366, 390])
@pytest.mark.parametrize("level", ["village", "township"])
def test_a_briefing_names_every_place(page: Any, tmp_path: Path, county_db: Path, width: int, level: str) -> None:
    """The briefing of a township of 30 villages (the scaled county's 海流图镇), and the county's of 10
    townships, read on a phone: its own chart height (at most 700 px), then the causes' legend, a cause a
    line above the plot, left the plot so little that Plotly dropped every other place's name (5 of the
    10 townships were named). Every place chart names every place."""
    import duckdb

    from etl.snapshot import current_snapshot
    from queries import meta
    from queries.filters import Filters, Viewer
    from tests.conftest import COUNTY_TOWN
    from ui import briefing_html

    with duckdb.connect(str(current_snapshot(county_db)), read_only=True) as con:
        as_of = meta.data_as_of(con)
        places = {r[0] for r in con.execute(f"SELECT DISTINCT {level} FROM households WHERE township = ? OR ?",
                                            [COUNTY_TOWN, level == "township"]).fetchall() if r[0]}
        flt = Filters(townships=(COUNTY_TOWN,)) if level == "village" else Filters()
        doc = briefing_html.build(con, flt, Viewer(), lang="zh", as_of=as_of, data_as_of=as_of)
    html = tmp_path / "briefing.html"
    html.write_text(doc, encoding="utf-8")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(html.as_uri())
    page.locator(".plotly-graph-div .ytick").first.wait_for(timeout=30_000)
    graphs = page.locator(".plotly-graph-div")
    checked = 0
    for i in range(graphs.count()):
        shown = set(graphs.nth(i).evaluate("g => g.data.flatMap(t => t.y || []).map(String)"))
        if len(shown & places) >= 8:  # a chart of the places (villages of the township, or townships)
            ticks = set(graphs.nth(i).locator(".ytick text").all_text_contents())
            assert ticks == shown, (i, sorted(shown - ticks))
            checked += 1
    assert checked >= 4  # causes, exit status, rectification, ill households, completeness
