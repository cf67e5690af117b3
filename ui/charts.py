"""Plotly helpers: one look for every chart.

- `COLORS`: fixed colour per canonical code value (causes, exit statuses, monitoring types, measure
  categories, rectification statuses, flags); English labels map to the same colour, so a cause has
  the same colour on every page and in both languages. `color_for(value)`.
- `bar(df, x, y, *, color=None, orientation="v", x_title, y_title, order=None, ...)`: counts on the
  bars, axis titles, categories sorted (by value, or by `order`), stacked when `color` is given.
  `bar_spec(...)`: the same figure as plain dicts, unvalidated (what `bar` builds its go.Figure from;
  the briefing writes it to HTML itself).
- `line(df, x, y, *, color=None, ...)`: lines with markers and values.
- `unvalidated(data=None)`: `go.Figure` without Plotly's validation, for every figure the app builds
  (its own code, so validation only cost time: a third of building a chart).
- `step_panels(df, x, y, by, ...)`: a small step line per series, stacked on one date axis and one
  scale, each titled with its latest value written (the burn-down per source).
- `count_ticks(values, top)`: whole ticks on an axis of counts (used by `bar` and `line`).
- `rate_bars(df, place, rate, lo, hi, passed, line, ...)`: a rate per place against a veto line,
  coloured pass/fail, with its interval.
- `style(fig, height=None)`: CJK font (Noto Sans CJK SC, installed offline; sans-serif fallback),
  margins, legend on top, sensible height.
- `show(fig, key, on_select=None, *, figure)` (figure: its indicator-dictionary key): st.plotly_chart without the plotly logo; with `on_select` (a
  callback) a click/box selection reruns and the callback reads `st.session_state[key].selection`.
- `selected(key, field)`: the values of `field` ("x", "y", "customdata", "legendgroup", or "category":
  a bar's category on either axis) in the chart's current selection, as the data had them (unescaped).
- `orientation_for(categories)`: upright bars for a few places, horizontal ones (a name a line) for more.
- `legend_wraps(names)`: whether a legend takes more than a line above a phone's plot (`bar_spec` then
  adds a line per entry to the chart's height).
- `plain(text)` and `safe_spec(figure)`: no markup from data. Plotly renders a subset of HTML (`<a>`,
  `<b>`, `<br>`, `<i>`, `<span style>`, ...) in every text it draws: category labels, legend names,
  bar texts, hover labels, titles, annotations. `safe_spec` turns a figure into plain data with every
  string escaped (`&`, `<`, `>` as entities, which Plotly draws as the characters themselves) except
  templates (`hovertemplate`, `texttemplate`, the layout's theme): those are code written here, the
  only place a figure may carry markup. Every figure leaves the app through `safe_spec`: on a page
  through `show`, in an HTML file through `ui.profile_html.spec_div`.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from etl.inspection_rules import unconfirmed
from labels import codes_en, t
from ui.formats import pct_beside, share_label

_SHARE_FORMAT = re.compile(r"\{:\.(\d)%\}")


def value_text(text_format: str, v: object) -> str:
    """A bar's or point's value as `text_format` writes it; a share format (`{:.1%}`) through
    `share_label`, which never writes a false 100% or 0%."""
    share = _SHARE_FORMAT.fullmatch(text_format)
    return share_label(float(v), int(share.group(1))) if share else text_format.format(v)  # type: ignore[arg-type]

FONT_FAMILY = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif'

# A verdict or a status's colour, told apart by a reader who does not tell red from green (deuteranopia,
# protanopia: 8% of men) as well as by others: the good one a blue-green, the bad one a dark red, the one
# in between an orange, none grey; CIEDE2000 >= 20 between any two of them under every simulated colour
# vision deficiency (tests/test_palette_access.py). Green #2ca02c and red #d62728 were 4.6 apart to a
# deuteranope (the same olive), green and orange 1.3 to a protanope: 已脱贫/返贫, 达标/不达标 read alike.
GOOD_COLOR, GOOD_LIGHT_COLOR, WARN_COLOR, BAD_COLOR = "#018571", "#80cdc1", "#ff7f0e", "#b2182b"
NO_FIGURE_COLOR = "#bdbdbd"

_PALETTE = {
    # main causes
    "因病": "#d62728", "因残": "#9467bd", "因学": "#1f77b4", "因灾": "#8c564b", "缺土地": "#bcbd22",
    "缺水": "#17becf", "缺技术": "#ff7f0e", "缺劳力": "#393b79", "缺资金": "#2ca02c",
    "交通条件落后": "#e377c2", "自身发展动力不足": "#aec7e8", "因婚": "#ffbb78", "因丧": "#98df8a",
    # 其他 a mid grey, 未填写 (no value) a light one: both light greys could not be told apart (a browser review)
    "其他": "#8c8c8c",
    # exit status
    "已脱贫": GOOD_COLOR, "未脱贫": WARN_COLOR, "返贫": BAD_COLOR,
    # monitoring types
    "脱贫不稳定户": "#e6550d", "边缘易致贫户": "#fdae6b", "突发严重困难户": "#a63603",
    # measure categories
    # twelve hues apart: 兜底保障 and 其他 (two greys), 产业 and 生态 (green, light green), 就业 and 饮水 (blue,
    # light blue) were pairs a leader could not tell apart in a stacked chart (a browser review)
    "产业帮扶": "#2ca02c", "就业帮扶": "#1f77b4", "公益岗位": "#ff7f0e", "健康帮扶": "#d62728",
    "教育帮扶": "#9467bd", "住房安全": "#8c564b", "易地扶贫搬迁": "#e377c2", "饮水安全": "#17becf",
    "兜底保障": "#393b79", "金融帮扶": "#bcbd22", "生态帮扶": "#637939",
    # household attributes
    # 特困 a dark purple: the light one was the light blue of 一般贫困户 to a deuteranope (CIEDE2000 2.9)
    "一般贫困户": "#6baed6", "低保贫困户": "#fd8d3c", "特困供养贫困户": "#54278f", "未填写": "#e0e0e0",
    # beside the exit statuses on the exit page: a light purple (its light orange was 未脱贫's orange to a
    # deuteranope, 9.5 apart)
    "监测户": "#c2a5cf",
    # health and labour of members
    "健康": "#74c476", "长期慢性病": "#fd8d3c", "患有大病": "#d62728", "残疾": "#9467bd",
    "普通劳动力": "#31a354", "技能劳动力": "#006d2c", "弱劳动力或半劳动力": "#fdae6b",
    "丧失劳动力": "#e6550d", "无劳动力": "#969696",
    # rectification statuses
    "未整改": BAD_COLOR, "整改中": WARN_COLOR, "已整改": GOOD_LIGHT_COLOR, "已销号": GOOD_COLOR,
}
# Flags and series used by several pages (keys are label keys' values in Chinese).
_SERIES = {
    "series.households": "#1f77b4", "series.cumulative": "#ff7f0e", "series.rate": "#d62728",
    "series.limit": "#7f7f7f",
}
DEFAULT_COLOR = "#4c78a8"
# Series that are not codes (a line per source, per measure): told apart by the D3 category colours, in order.
SERIES_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                 "#bcbd22", "#17becf")

COLORS: dict[str, str] = dict(_PALETTE)
for _zh, _c in _PALETTE.items():
    _en = codes_en.CODE_EN.get(_zh)
    if _en:
        COLORS.setdefault(_en, _c)
COLORS.update(_SERIES)
# The inspection pages' series (label keys): one colour in Chinese and English. The health page's payers
# and its three coverage shares: a light orange beside the blue (a purple was the same blue to a
# protanope: 大病保险 and 医疗救助 1.9 apart in CIEDE2000).
_INSPECTION_SERIES_COLORS = {
    "insp.series.open": WARN_COLOR, "insp.series.overdue": BAD_COLOR, "insp.series.not_overdue": "#4c78a8",
    "insp.series.basic": "#2ca02c", "insp.series.critical": "#1f77b4", "insp.series.assistance": "#fdb863",
    "insp.series.other": "#7f7f7f", "insp.series.oop": "#d62728", "insp.series.ill_cause": "#d62728",
    "insp.series.ill_member_hh": "#ff9896", "col.medical_insured_share": "#1f77b4",
    "col.critical_insured_share": "#fdb863", "col.doctor_signed_share": "#2ca02c",
}
for _key, _c in _INSPECTION_SERIES_COLORS.items():
    for _lang in ("zh", "en"):
        COLORS.setdefault(t(_key, _lang), _c)


def color_for(value: object) -> str:
    return COLORS.get(str(value), DEFAULT_COLOR)


def _luminance(colour: str) -> float:
    """WCAG 2 relative luminance of "#rrggbb"."""
    c = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4 for v in c)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two "#rrggbb" colours (1 to 21)."""
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def ink_on(colour: str) -> str:
    """Black or white, whichever reads better on `colour`: the numbers written inside a bar. Plotly's own
    choice (white on a dark bar, #444 on a light one) wrote white on 已脱贫's green at 3.4:1 and #444 on
    未脱贫's orange at 3.9:1, under WCAG AA's 4.5:1 for 13 px text; one of the two always reaches 4.58:1."""
    return "#000000" if contrast("#000000", colour) >= contrast("#ffffff", colour) else "#ffffff"


def _style_layout(height: int | None, legend: bool) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "font": {"family": FONT_FAMILY, "size": 13},
        "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
        # above the plot, clear of its top bar by ~6 px whatever the chart's height (1.02 of a short chart's
        # plot was 3 px, and the legend's box cut a notch into the top bar: a browser review), and without
        # a box of its own
        "legend": {"orientation": "h", "yanchor": "bottom", "xanchor": "left", "x": 0,
                   "y": 1 + 6 / max(height - 50, 100) if height else 1.02, "bgcolor": "rgba(0,0,0,0)"},
        "showlegend": legend,
        "hoverlabel": {"font": {"family": FONT_FAMILY}},
        "separators": ".,",
    }
    if height:
        layout["height"] = height
    return layout


def style(fig: go.Figure, height: int | None = None, *, legend: bool = True) -> go.Figure:
    fig.update_layout(**_style_layout(height, legend))
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    return fig


COUNT_DTICK_UP_TO = 12  # past this top Plotly's own tick step is a whole number (2, 5, 10 …)


def count_ticks(values: Sequence[Any], top: float | None) -> dict[str, Any]:
    """Axis settings for an axis of counts (every value a whole number) running up to `top`: whole
    ticks only. Plotly steps a short axis by 0.5 or 0.2, which reads "0.5户" on a household count;
    a count axis under COUNT_DTICK_UP_TO steps by 1. Ticks are written as the numbers on the bars are
    (35,000, not Plotly's "35k", which beside "4000" on the panel below read as another unit). Other
    axes (shares, amounts): nothing."""
    numbers = [float(v) for v in values if v is not None and pd.notna(v)]
    if not numbers or not all(v.is_integer() for v in numbers):
        return {}
    top = max(numbers) if top is None else top
    return {"tickformat": ",", **({"tick0": 0, "dtick": 1} if top <= COUNT_DTICK_UP_TO else {})}


def text_px(text: str, size: int = 13) -> int:
    """The width a chart's text takes in pixels, about: a CJK character (or full-width bracket) a font
    size, any other about half of one; the margin that holds a label must, since a phone's plot is too
    narrow for the axis' headroom (35.4% of the 35% cause read "4,294（35." at 390 px)."""
    wide = sum(1 for ch in text if ord(ch) >= 0x2E80)
    return int(wide * size + (len(text) - wide) * size * 0.55) + 4


CATEGORY_PX = 28  # a horizontal chart's height per category (a place's name on one line, its bar, air)
GROUPED_BAR_PX = 22  # per bar of a group, side by side: thick enough for the number written past its end
LEGEND_ROW_PX = 20  # a legend entry's line (13 px text), as a phone lists them: one a line
PHONE_PLOT_PX = 280  # a full-width chart's plot on a 390 px phone: the screen less the page's padding and the value axis
LEGEND_SWATCH_PX = 40  # a legend entry's colour swatch and the air after its text, as Plotly draws them


def legend_wraps(names: Sequence[Any]) -> bool:
    """Whether a legend of `names` takes more than one line above a phone's plot; Plotly then gives each
    entry the widest one's room, mostly one a line (`LEGEND_ROW_PX`)."""
    return sum(text_px(str(n)) + LEGEND_SWATCH_PX for n in names) > PHONE_PLOT_PX


# A vertical bar chart of more bars than this writes its names slanted, into each other (a township's 25
# villages of up to 11 characters), and its bars are too narrow for their numbers (4 bars side by side for
# each of 10 townships: "265" did not fit a 20 px bar and was hidden); it is drawn horizontal, a name a
# line, each bar as thick as its number needs (`orientation_for`).
UPRIGHT_MAX_BARS = 12


def orientation_for(categories: Sequence[Any], side_by_side: int = 1) -> str:
    """"v" (upright bars) for a chart of a few bars, "h" (a name a line) for more: the one rule for charts
    whose categories are places (a county's townships, or one township's villages). `side_by_side`: the
    bars of a category in a grouped chart (barmode="group")."""
    return "h" if len(set(categories)) * side_by_side > UPRIGHT_MAX_BARS else "v"


def _order(df: pd.DataFrame, cat: str, sums: pd.Series, order: Sequence[Any] | None,
           ascending: bool) -> list[Any]:
    if order is not None:
        present = set(df[cat])
        return [c for c in order if c in present] + sorted(present - set(order), key=str)
    # ties keep the order of appearance as read: left to right, or top to bottom on a horizontal chart,
    # whose first category Plotly draws at the bottom (a table beside it lists ties as the rows come)
    ordered = sums.iloc[::-1] if ascending else sums
    return list(ordered.sort_values(ascending=ascending, kind="stable").index)


def bar_spec(
    df: pd.DataFrame,
    x: str,
    y: str,
    *,
    color: str | None = None,
    orientation: str = "v",
    x_title: str = "",
    y_title: str = "",
    title: str | None = None,
    order: Sequence[Any] | None = None,
    color_order: Sequence[Any] | None = None,
    text_format: str = "{:,.0f}",
    height: int | None = None,
    barmode: str = "stack",
    customdata: str | None = None,
    show_totals: bool = True,
    segment_text: bool = True,
    totals: Mapping[Any, float] | None = None,
    texts: Mapping[Any, str] | None = None,
) -> dict[str, Any]:
    """The figure of `bar` as a plain dict ({"data": [...], "layout": {...}}, lists and Python scalars),
    not validated: the briefing writes it to HTML itself (ui.profile_html.spec_div), since a go.Figure's
    validation and to_html cost several times building the dict.

    `totals`: the number written beside each stacked bar, per category, when it is not the sum of the
    segments (claims: the 总费用 a table beside it shows, though a claim's parts may not add up to it).
    `texts`: the text written on each category's bar when it says more than its value (a count and its
    share, "4,294（35.4%）"); the figure's right margin holds the widest.
    `height`: the chart's height before its legend: a legend that takes more than a line on a phone
    (`legend_wraps`) adds a line per entry to it."""
    cat, val = x, y
    horizontal = orientation == "h"
    sums = df.groupby(cat, sort=False)[val].sum()  # bar totals, in order of appearance (ties keep it)
    cats = _order(df, cat, sums, order, ascending=horizontal)
    # Segments are read from plain Python rows: slicing and reindexing the frame per segment cost more
    # than the rest of the chart. Rows whose `color` is missing belong to no segment (its legend entry
    # stays, empty), as when each segment was selected by `df[color] == name`.
    keys = df[color].tolist() if color else [None] * len(df)
    extras = df[customdata].tolist() if customdata else [None] * len(df)
    rows: dict[Any, dict[Any, tuple[Any, Any]]] = {}
    for key, c, v, extra in zip(keys, df[cat].tolist(), df[val].tolist(), extras, strict=True):
        if color is None or not pd.isna(key):
            rows.setdefault(key, {})[c] = (v, extra)
    totals_shown = bool(color) and show_totals and barmode == "stack"
    # a bar of one segment says its number once, beside it as its total (inside as well read "3 3")
    alone: set[Any] = set()
    if totals_shown and totals is None:
        segments = df[df[val].fillna(0) != 0].groupby(cat)[color].nunique()
        alone = set(segments[segments <= 1].index)
    names: list[Any] = [None]
    grouped_h = bool(color) and barmode == "group" and horizontal  # bars side by side, each with its number
    if color:
        names = list(dict.fromkeys(df[color]))
        if color_order is not None:
            names = [c for c in color_order if c in names] + [c for c in names if c not in color_order]
    traces: list[dict[str, Any]] = []
    for name in names:
        part = rows.get(name, {})
        colour = color_for(name) if name is not None else DEFAULT_COLOR
        categories = [c for c in cats if c in part]
        values = [part[c][0] for c in categories]
        trace: dict[str, Any] = {
            "type": "bar",
            "name": str(name) if name is not None else val,
            # a zero segment of a stack has no number; a bar of its own does (a 0.0% pass rate beside
            # bars with theirs read as a missing value; a probe)
            "text": [texts[c] if texts is not None and c in texts else value_text(text_format, v)
                     if segment_text and pd.notna(v) and (v != 0 or not color)
                     and c not in alone else "" for c, v in zip(categories, values, strict=True)],
            "textposition": "inside" if color and not grouped_h else "outside",
            "marker": {"color": colour},
            "insidetextfont": {"color": ink_on(colour)},  # Plotly's choice: 3.4:1 on green
            "cliponaxis": False,
            "textangle": 0,  # Plotly turns text inside a thin bar on its side: unreadable
        }
        if customdata:
            trace["customdata"] = [part[c][1] for c in categories]
        if horizontal:
            trace.update(x=values, y=categories, orientation="h")
        else:
            trace.update(x=categories, y=values)
        traces.append(trace)
    if totals_shown:
        ends = sums.reindex(cats).tolist()  # where each total is written: the end of its bar
        written = ends if totals is None else [totals.get(c) for c in cats]
        # a little air between the last segment and the total written beside it
        labels = [("\u2002" if horizontal else "") + (value_text(text_format, v) if v is not None and pd.notna(v) else "")
                  for v in written]
        traces.append({"type": "scatter", "mode": "text", "text": labels, "showlegend": False, "hoverinfo": "skip",
                       "cliponaxis": False,  # a total may run past the axis' headroom (the margin holds it)
                       "textposition": "middle right" if horizontal else "top center",
                       "x": ends if horizontal else cats, "y": cats if horizontal else ends})
    # Room for the labels written past the longest bar, which the figure's edge would otherwise cut.
    longest = sums.max() if color and barmode == "stack" else df[val].max()
    value_range = [0, float(longest) * (1.22 if horizontal else 1.12)] if pd.notna(longest) and longest > 0 \
        and df[val].min() >= 0 else None
    # a place axis' title stood against its names ("行政村" beside "兴丰村" read as one word): air between
    cat_axis = {"categoryorder": "array", "categoryarray": cats, "type": "category", "automargin": True,
                "title": {"text": x_title, "standoff": 14} if horizontal else {"text": x_title}}
    val_axis: dict[str, Any] = {"title": {"text": y_title}, "automargin": True}
    if "," in text_format:  # counts and yuan: 1,400,000 as the bars say, not Plotly's "1.4M" (or "0.2M" 元)
        val_axis["tickformat"] = ","
    if value_range is not None:
        val_axis["range"] = value_range
        val_axis.update(count_ticks(df[val].tolist(), value_range[1]))
    # On a phone the legend lists an entry a line above the plot and takes its height from the plot's:
    # the 13 causes took 260 px of the county's chart of 10 townships, and Plotly dropped every other
    # township's name. A horizontal chart, as tall as its categories need, holds that room as well; a chart
    # of a height of its own (upright, or a page's) holds it when its legend does not fit a phone's line
    # (`legend_wraps`: the upright causes by township kept a 60 px plot under its 13 causes at 390 px).
    wraps = bool(color) and legend_wraps(names)
    legend_px = LEGEND_ROW_PX * len(names) if color and (horizontal or wraps) else 0
    if height is not None:
        height += legend_px if wraps else 0
    elif grouped_h:
        # each of a place's bars thick enough for its number written past its end (11 px text: Plotly
        # fits it to the bar's thickness and `uniformtext` hides what does not fit), however many places:
        # a cap (1600 px) thinned the 25 villages × 3 rates of one township until every number was hidden
        height = max(300, (GROUPED_BAR_PX * len(names) + 8) * len(cats) + 140 + legend_px)
    else:
        # no cap either: 900 px squeezed a township of 40 villages to 19 px a name
        height = max(300, CATEGORY_PX * len(cats) + 140 + legend_px) if horizontal else 400 + legend_px
    layout = _style_layout(height, bool(color))
    if horizontal and color and barmode == "stack":
        # Plotly lists a stack's legend reversed (top segment first), which suits a vertical stack; a
        # horizontal one reads left to right, as its legend: first segment first
        layout["legend"]["traceorder"] = "normal"
    if grouped_h:
        # Plotly draws a group's first bar at the bottom: the traces go in reverse, so that the first
        # series is on top of each place, and the legend is reversed back to list it first
        traces.reverse()
        layout["legend"]["traceorder"] = "reversed"
    if horizontal and value_range is not None:
        # the axis' headroom is a share of the plot; in a half-width column a long total ("1,250,150")
        # still ran past the figure's edge: the right margin takes the widest label past the bars
        shown = (list(totals.values()) if totals is not None else sums) if color and barmode == "stack" else df[val]
        past = [text_px(value_text(text_format, v)) for v in shown if pd.notna(v)]
        past += [text_px(v) for v in (texts or {}).values()]
        layout["margin"]["r"] = max(layout["margin"]["r"], max(past, default=0))
    # numbers that do not fit their segment upright are left out (the total beside the bar remains)
    layout.update(barmode=barmode, uniformtext={"minsize": 11, "mode": "hide"},
                  xaxis=val_axis if horizontal else cat_axis, yaxis=cat_axis if horizontal else val_axis)
    if title:  # title on its own line above the legend, both left-aligned
        layout["title"] = {"text": title, "x": 0, "xanchor": "left", "y": 1, "yanchor": "top", "pad": {"t": 8}}
        layout["margin"]["t"] = 90
        layout["legend"].update(y=1 + 6 / max(height - 100, 100), yanchor="bottom")  # as in _style_layout
    return {"data": traces, "layout": layout}


def bar(df: pd.DataFrame, x: str, y: str, **options: Any) -> go.Figure:
    """A bar chart of `y` by `x` (horizontal: categories on y, values on x; pass x=category, y=value);
    `options` as `bar_spec`. The figure is built once from the whole spec, unvalidated (`unvalidated`)."""
    return unvalidated(bar_spec(df, x, y, **options))


def line(
    df: pd.DataFrame,
    x: str,
    ys: Sequence[tuple[str, str]],
    *,
    x_title: str = "",
    y_title: str = "",
    height: int = 360,
    text_format: str = "{:,.0f}",
    bars: Sequence[str] = (),
) -> go.Figure:
    """Series `ys` = [(column, legend name)] over `x`; columns in `bars` are drawn as bars."""
    fig = unvalidated()
    for i, (col, name) in enumerate(ys):
        texts = [value_text(text_format, v) if pd.notna(v) else "" for v in df[col]]
        colour = SERIES_COLORS[i % len(SERIES_COLORS)]
        if col in bars:
            fig.add_trace(go.Bar(x=df[x], y=df[col], name=name, text=texts, textposition="outside",
                                 marker_color=colour, cliponaxis=False, constraintext="none"))
        else:
            fig.add_trace(go.Scatter(x=df[x], y=df[col], name=name, mode="lines+markers+text", text=texts,
                                     textposition="top center", line={"color": colour}, cliponaxis=False))
    fig.update_xaxes(title_text=x_title, type="category")
    values = [v for col, _ in ys for v in df[col].tolist()]
    top = max([float(v) for v in values if pd.notna(v)], default=0) * 1.1  # room for the texts above
    fig.update_yaxes(title_text=y_title, rangemode="tozero", **count_ticks(values, top))
    return style(fig, height)


# the ticks of a rate's axis whose range runs past 100% only to hold the values written beside the bars
RATE_TICKS = [0, 0.2, 0.4, 0.6, 0.8, 1.0]
NEAR_FULL = 0.9  # rates that all lie at or above this are drawn as dots on a zoomed axis (`near_full`)


def near_full(spec: dict[str, Any]) -> dict[str, Any]:
    """A horizontal bar spec of rates (0–1) whose values all lie near 100%, as dots on an axis that
    starts just below the lowest: bars from 0 of 98.5%–100% looked equally long and hid the "worst
    first" order (a browser review of the archive's completeness). A dot's place, not a bar's length,
    carries its value, so the axis may start above 0. Other specs are returned as they are."""
    bars = [tr for tr in spec["data"] if tr.get("type") == "bar"]
    values = [float(v) for tr in bars for v in tr["x"] if v is not None and pd.notna(v)]
    if not values or min(values) < NEAR_FULL:
        return spec
    low = min(values) - 0.005  # half a point of air below the lowest
    step = next(s for s in (0.0025, 0.005, 0.01, 0.02, 0.05, 0.1) if (1 - low) / s <= 5)
    lo = max(0.0, float(np.floor(low / step) * step))
    for tr in bars:
        tr.update(type="scatter", mode="markers+text", textposition="middle right",
                  marker={**tr.get("marker", {}), "size": 12})
        for key in ("orientation", "textangle", "insidetextfont"):
            tr.pop(key, None)
    # ticks from the start to 100% only (the room past it holds the values written beside the dots)
    ticks = [round(lo + i * step, 4) for i in range(int(round((1 - lo) / step)) + 1)]
    spec["layout"]["xaxis"].update(range=[lo, 1 + (1 - lo) * 0.3], tickvals=ticks,
                                   tickformat=".1%" if step < 0.01 else ".0%")
    return spec


PASS_COLOR, FAIL_COLOR = GOOD_COLOR, BAD_COLOR
UNSURE_COLOR = WARN_COLOR  # passes, but its interval reaches past the line: the sample cannot confirm it


def rate_bars(df: pd.DataFrame, place: str, rate: str, lo: str, hi: str, passed: str, line: float, *,
              line_label: str, x_title: str = "", y_title: str = "", height: int | None = None) -> go.Figure:
    """One horizontal bar per place (`place`, in the frame's order, first on top): the rate coloured by
    its verdict (`passed`: True green, or orange when its interval holds the line (`unconfirmed`); False red,
    None grey) and marked with a dot of that colour, its interval (`lo`–`hi`) as an error bar,
    the veto line dashed. The values are a column right of the plot, where no whisker or line reaches
    (written at the bars' ends, the whiskers and the line crossed them)."""
    rows = df[df[rate].notna()]
    colours = [UNSURE_COLOR if unconfirmed(p, a, b, line) else PASS_COLOR if p is True else FAIL_COLOR
               if p is False else NO_FIGURE_COLOR for p, a, b in zip(rows[passed], rows[lo], rows[hi], strict=True)]
    values = rows[rate].astype(float)
    top = max([line, *rows[hi].fillna(0).astype(float).tolist(), *values.tolist()])
    x_max = min(1.0, top) * 1.25 + 0.005
    # 0.02% reads <0.1%, not 0.0% (the table says 0.02%); a failing rate never reads as its line (2.01%)
    texts = [pct_beside(v, line, above_fails=v > line) if p is False else share_label(v, 1)
             for v, p in zip(values, rows[passed], strict=True)]
    fig = unvalidated([
        go.Bar(x=values, y=rows[place], orientation="h", marker_color=colours, showlegend=False,
               error_x={"type": "data", "symmetric": False, "array": (rows[hi].astype(float) - values).clip(lower=0),
                        "arrayminus": (values - rows[lo].astype(float)).clip(lower=0), "color": "#555",
                        "thickness": 1}),
        go.Scatter(x=[x_max] * len(rows), y=rows[place], mode="text", text=texts, textposition="middle right",
                   cliponaxis=False, showlegend=False, hoverinfo="skip"),
        # a dot of the verdict's colour at each value: a rate of 0.0% has no bar and one of 0.1% on a 10%
        # axis a sliver, so the colour (pass, unconfirmed, fail) could not be seen (a browser review)
        go.Scatter(x=values, y=rows[place], mode="markers", cliponaxis=False, showlegend=False, hoverinfo="skip",
                   marker={"color": colours, "size": 11, "line": {"color": "white", "width": 1.5}}),
    ])
    fig.add_vline(x=line, line_dash="dash", line_color="#555", annotation_text=line_label,
                  annotation_position="top")
    fig.update_xaxes(title_text=x_title, tickformat=".0%", range=[0, x_max])
    if x_max > 1:  # the headroom for the value column is no rate: no "120%" tick
        fig.update_xaxes(tickvals=RATE_TICKS)
    fig.update_yaxes(title_text=y_title, type="category", categoryorder="array",
                     categoryarray=list(rows[place])[::-1])
    # a row a place however many (a 900 px cap left a township of 40 villages 19 px a name, its whisker
    # and dot on top of each other)
    fig = style(fig, height or max(260, (CATEGORY_PX + 2) * len(rows) + 120), legend=False)
    # the value column; above the plot, air between the line's label and the heading over the chart
    fig.update_layout(margin={"r": 10 + 8 * max((len(t) for t in texts), default=0), "t": 56})
    return fig


def plain(text: object) -> str:
    """`text` as Plotly text that draws exactly these characters: `&`, `<` and `>` as entities, so no
    tag (`<a>`, `<b>`, `<br>`, ...) and no entity of the data is interpreted. A newline stays a newline
    (Plotly draws it as a space)."""
    return html.escape(str(text), quote=False)


def _is_code(key: str) -> bool:
    """Figure attributes whose strings are code written here, never data: templates may hold markup
    (`<extra></extra>`, `<br>`), and the layout's theme is Plotly's own."""
    return key.endswith("template") or key == "template"


def _escape(value: Any) -> Any:
    if isinstance(value, str):
        return plain(value)
    if isinstance(value, dict):
        return {k: v if _is_code(str(k)) else _escape(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_escape(v) for v in value]
    if isinstance(value, np.ndarray) and value.dtype.kind in "OUS":
        return [_escape(v) for v in value.tolist()]
    if isinstance(value, pd.Series | pd.Index | pd.api.extensions.ExtensionArray):  # set unvalidated
        return _escape(value.tolist())
    return value


def safe_spec(figure: go.Figure | dict[str, Any]) -> dict[str, Any]:
    """The figure as plain data ({"data": [...], "layout": {...}}) with every text from the data escaped
    (`plain`): category labels, legend names, texts, hover texts, custom data, titles, annotations.
    Templates are left as written (`_is_code`), except that the default template is left out: a new
    Figure of the spec (`unvalidated`, as `show` makes) puts it back at no cost, while carrying it through
    cost ~14 ms of ~15 per chart when Streamlit validated the spec (a sixth of a page's CPU)."""
    spec = figure.to_plotly_json() if isinstance(figure, go.Figure) else figure
    layout = spec.get("layout")
    if isinstance(layout, dict) and layout.get("template") == _default_template():
        spec = {**spec, "layout": {k: v for k, v in layout.items() if k != "template"}}
    return _escape(_share_hover(spec))


SHARE_HOVER = ".2%"  # a share in a hover label: two decimals, as the tables and downloads write it


def _share_hover(spec: dict[str, Any]) -> dict[str, Any]:
    """`spec` with every axis of shares (a d3 tick format in %, `.0%`; not a date's `%Y-%m-%d`) hovering
    with SHARE_HOVER. Plotly writes a bar's value in its hover label with the axis' tick format: 99.6% of
    members insured read "(100%, 乙镇) 99.6%" and a wrong-exit rate of 2.04% over the 2% line "(2%, 甲镇)"
    (a probe in a browser)."""
    layout = spec.get("layout")
    if not isinstance(layout, dict):
        return spec
    axes = {k: {**v, "hoverformat": SHARE_HOVER} for k, v in layout.items()
            if re.fullmatch(r"[xy]axis\d*", k) and isinstance(v, dict)
            and re.fullmatch(r",?\.\d+~?%", str(v.get("tickformat", ""))) and not v.get("hoverformat")}
    return {**spec, "layout": {**layout, **axes}} if axes else spec


@functools.cache
def _default_template() -> dict[str, Any] | None:
    """The default template as a figure carries it (None when there is none)."""
    default = pio.templates.default
    return go.Figure().to_plotly_json()["layout"].get("template") if default else None


# Between two rows of small trends: the upper row's slanted dates (~50 px) and the lower row's titles
# (~20 px), with air. A fixed share of the height (0.22) left ~4 px between them: titles sat on dates.
TREND_ROW_GAP_PX = 90
TREND_MARGIN_PX = 110  # the layout's top margin and the bottom row's slanted dates


def trend_grids(df: pd.DataFrame, x: str, series: Sequence[tuple[str, str]], **options: Any) -> list[go.Figure]:
    """`trends` as two grids of 2×2, to stand side by side on a wide screen and one under the other on a
    phone (the overview's `show_row`, the briefing's `.pair`): one grid of 4×2 was 80 px a chart on a
    390 px phone, its titles written over each other (a browser probe)."""
    half = -(-len(series) // 2)
    return [trends(df, x, part, cols=2, **options) for part in (series[:half], series[half:])]


def trends(df: pd.DataFrame, x: str, series: Sequence[tuple[str, str]], *, cols: int = 4,
           height: int = 480) -> go.Figure:
    """One small line per figure (its own scale: households and items differ by 100x), titled. Built as
    plain dicts (the grid of axes `make_subplots` would lay out): through Plotly's validated setters it
    was the overview's costliest chart, ~6% of a page's server CPU under concurrent sessions."""
    rows = max(1, -(-len(series) // cols))
    h_gap, v_gap = 0.07, min(0.5, TREND_ROW_GAP_PX / max(1, height - TREND_MARGIN_PX))
    width, tall = (1 - h_gap * (cols - 1)) / cols, (1 - v_gap * (rows - 1)) / rows
    xs = df[x].tolist()
    layout = _style_layout(height, False)
    traces: list[dict[str, Any]] = []
    titles: list[dict[str, Any]] = []
    for i, (col, name) in enumerate(series):
        n = "" if i == 0 else str(i + 1)
        left, top = (i % cols) * (width + h_gap), 1 - (i // cols) * (tall + v_gap)
        values = [None if pd.isna(v) else v for v in df[col].tolist()]  # unknown at a load: a gap
        traces.append({"type": "scatter", "x": xs, "y": values, "xaxis": f"x{n}", "yaxis": f"y{n}",
                       "mode": "lines+markers+text", "text": [f"{v:,.0f}" if pd.notna(v) else "" for v in values],
                       "textposition": "top center", "line": {"color": "#1f77b4"}, "cliponaxis": False,
                       "showlegend": False})
        # headroom above the highest label, so that it stays clear of the small chart's title
        top_value = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").max()
        # half a category of room at each end: the first and last labels stay clear of the axis numbers
        layout[f"xaxis{n}"] = {"domain": [left, left + width], "anchor": f"y{n}", "type": "category",
                               # slanted: level, two dates ran together in a small chart on A4
                               "tickangle": -30, "range": [-0.5, len(df) - 0.5], "automargin": True}
        highest = top_value if pd.notna(top_value) and top_value > 0 else 1
        # max(0, ...): the bottom row's float sum came to -1e-16, which Plotly refuses as a domain
        layout[f"yaxis{n}"] = {"domain": [max(0.0, top - tall), top], "anchor": f"x{n}", "nticks": 4, "automargin": True,
                               "range": [0, highest * 1.35], "tickformat": ",",  # 38,025, not "38k"
                               # counts: no tick at half a household when the figures are 0 or 1
                               **({"dtick": 1} if highest <= 3 else {})}
        titles.append({"text": name, "x": left + width / 2, "y": top, "xref": "paper", "yref": "paper",
                       "xanchor": "center", "yanchor": "bottom", "showarrow": False, "font": {"size": 13}})
    layout["annotations"] = titles
    return unvalidated({"data": traces, "layout": layout})


PANEL_PX, PANEL_TITLE_PX = 64, 32  # a step panel's plot, and its title above it with air over the plot above
PANEL_BOTTOM_PX = 60  # the bottom panel's dates and the axis title


def _tint(colour: str, alpha: float) -> str:
    """`#rrggbb` as a translucent rgba()."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def step_panels(df: pd.DataFrame, x: str, y: str, by: str, *, x_title: str = "", y_title: str = "") -> go.Figure:
    """One small step line of `y` over the dates `x` per value of `by` (in order of first appearance),
    stacked under each other on one date axis and one count scale, each titled, its latest value written
    at its last point. On one plot, series of equal counts lay exactly on each other and a series of one
    point was a lone dot; here none hides another, and one point is a marker with its number."""
    groups = [(str(name), part) for name, part in df.groupby(by, sort=False)]
    n = len(groups)
    row = PANEL_PX + PANEL_TITLE_PX
    paper = n * row
    highest = max(float(df[y].max()), 1.0)
    days = pd.to_datetime(df[x])
    # a week either side: the first and last markers clear of the plot's edges, room for the last number
    x_range = [(days.min() - pd.Timedelta(days=7)).strftime("%Y-%m-%d"),
               (days.max() + pd.Timedelta(days=7)).strftime("%Y-%m-%d")]
    layout = _style_layout(paper + 8 + PANEL_BOTTOM_PX, False)
    layout["margin"] = {**layout["margin"], "t": 8, "r": 30}
    traces: list[dict[str, Any]] = []
    titles: list[dict[str, Any]] = []
    for i, (name, part) in enumerate(groups):
        k = "" if i == 0 else str(i + 1)
        top = 1 - (i * row + PANEL_TITLE_PX) / paper
        values = part[y].tolist()
        colour = SERIES_COLORS[i % len(SERIES_COLORS)]
        texts = [""] * (len(values) - 1) + [f"{values[-1]:,.0f}"]
        traces.append({"type": "scatter", "x": pd.to_datetime(part[x]).dt.strftime("%Y-%m-%d").tolist(),
                       "y": values, "name": name, "xaxis": f"x{k}", "yaxis": f"y{k}",
                       "mode": "lines+markers+text", "text": texts, "textposition": "middle right",
                       "line": {"shape": "hv", "width": 2, "color": colour},
                       "fill": "tozeroy", "fillcolor": _tint(colour, 0.15),
                       "marker": {"size": 4 if len(values) > 1 else 9, "color": colour},
                       "cliponaxis": False, "showlegend": False})
        last = i == n - 1
        layout[f"xaxis{k}"] = {"domain": [0, 1], "anchor": f"y{k}", "type": "date", "tickformat": "%Y-%m-%d",
                               "range": x_range, "showticklabels": last, "automargin": True,
                               **({"title": {"text": x_title}} if last else {}), **({"matches": "x"} if k else {})}
        layout[f"yaxis{k}"] = {"domain": [max(0.0, top - PANEL_PX / paper), top], "anchor": f"x{k}",
                               "range": [0, highest * 1.25], "nticks": 3, "automargin": True,
                               **({"dtick": 1} if highest <= 2 else {}),  # no tick at half an item
                               # one title for the stack, beside its middle panel
                               **({"title": {"text": y_title}} if i == n // 2 else {})}
        titles.append({"text": name, "x": 0, "y": top, "xref": "paper", "yref": "paper", "xanchor": "left",
                       "yanchor": "bottom", "showarrow": False, "font": {"size": 12, "color": colour}})
    layout["annotations"] = titles
    return unvalidated({"data": traces, "layout": layout})


# a heatmap's colour key under the plot, as wide as it: at its right (Plotly's place) it took a quarter of
# a 390 px phone's width from the twelve columns of the coverage heatmap (a browser probe)
COLORBAR_BELOW: dict[str, Any] = {"orientation": "h", "x": 0, "xanchor": "left", "y": 0, "yanchor": "top",
                                  "ypad": 30, "thickness": 12, "len": 1, "title": {"text": ""}}


def every_category(labels: Sequence[Any]) -> dict[str, Any]:
    """An axis setting that labels every category of a heatmap: left to itself, Plotly labels only as
    many as it thinks fit, so on a 390 px phone the coverage heatmap named every other one of its twelve
    measure columns and a reader could not tell which column was 教育帮扶 (a browser probe)."""
    ticks = [str(v) for v in labels]
    return {"tickmode": "array", "tickvals": ticks, "ticktext": ticks}


def unvalidated(data: Any = None) -> go.Figure:
    """`go.Figure(data)` (a spec, traces or nothing) without Plotly's validation of the figure and of
    every later `update_*`/`add_*` on it: every figure is written by this app's code, and validation
    cost a third of building a chart (and `show` again as `st.plotly_chart` validated a dict). Traces
    made with `go.Bar(...)` and the like still validate themselves."""
    return go.Figure(data, _validate=False)


def show(fig: go.Figure, key: str, on_select: Callable[[], None] | None = None, *, figure: str) -> Any:
    """The chart and, under it, who it counts (`figure`: its entry in the indicator dictionary, required:
    a chart without one raises KeyError)."""
    out = _plot(fig, key, on_select, figure)
    _population_note(figure)
    return out


def show_row(figs: Sequence[go.Figure], key: str, *, figure: str) -> None:
    """Charts of one figure side by side (keys `key`, `key_2` …) and one note of who they count under
    them. Streamlit stacks the columns on a phone (≤ 640 px), each chart then the screen's width: the
    overview's eight small trends as one grid of four columns were 80 px each on a 390 px phone, their
    titles over each other and their numbers on the axes."""
    import streamlit as st

    for i, (col, fig) in enumerate(zip(st.columns(len(figs)), figs, strict=True)):
        with col:
            _plot(fig, key if i == 0 else f"{key}_{i + 1}", None, figure)
    _population_note(figure)


def accessible_name(fig: go.Figure | dict[str, Any], figure: str, lang: str) -> str:
    """What a screen reader calls a chart: its own title, else its figure's name in the indicator
    dictionary (the overview's trends are titled 建档立卡户, 已脱贫户 …; most charts are titled by the
    heading above them, which a reader reaches before the chart)."""
    from queries import figures

    if isinstance(fig, go.Figure):  # its title alone: the whole layout as JSON cost a copy per chart per run
        text = fig.layout.title.text
    else:
        title = fig.get("layout", {}).get("title")
        text = title.get("text") if isinstance(title, dict) else title
    # a title's own line breaks and emphasis (<br>, <b>) are no words
    return re.sub(r"\s+", " ", re.sub(r"<[^>]*>", " ", str(text))).strip() if text else figures.entry(figure).text("name", lang)


def _plot(fig: go.Figure, key: str, on_select: Callable[[], None] | None, figure: str) -> Any:
    import streamlit as st

    from ui.context import current

    config = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"]}
    # the name as the chart's meta (Plotly keeps it in the drawn figure, unescaped: an attribute value,
    # never markup), which the page's script gives the chart's box (ui.layout._A11Y_JS)
    name = accessible_name(fig, figure, current().lang)
    spec = unvalidated(safe_spec(fig))  # a Figure: st.plotly_chart validates only a dict
    spec.layout.meta = {"name": name}
    if on_select is None:
        return st.plotly_chart(spec, key=key, config=config, width="stretch")
    return st.plotly_chart(spec, key=key, config=config, width="stretch", on_select=on_select,
                           selection_mode=("points",))


def _population_note(figure: str) -> None:
    from ui import figures
    from ui.context import current

    figures.population_note(current(), figure)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def selected(key: str, field: str = "x") -> list[Any]:
    """Values of `field` in the current selection of chart `key` (for on_select callbacks); "category":
    the selected bars' categories on either axis."""
    import streamlit as st

    state = st.session_state.get(key)
    if not state:
        return []
    try:
        points = state["selection"]["points"]
    except (KeyError, TypeError):
        return []
    if field == "category":  # a bar's category, whichever its axis (`orientation_for`): the value is the number
        points = [{**p, field: p.get("y") if _is_number(p.get("x")) else p.get("x")} for p in points
                  if isinstance(p, dict)]
    values = [p.get(field) for p in points if isinstance(p, dict) and p.get(field) is not None]
    return [html.unescape(v) if isinstance(v, str) else v for v in values]  # as `show` escaped them
