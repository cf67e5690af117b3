"""Household profile (家庭情况简介) as self-contained, printable HTML, and its Streamlit view.

- `document(title, body, lang)`: a complete HTML page with print CSS and Plotly's JS embedded (no CDN,
  no http(s) reference anywhere: the bundle's own URL strings are written as `:\\/\\/`, which is the
  same string to JavaScript). Shared by the briefing.
- `spec_div(spec, name)`: a figure given as plain data (`ui.charts.bar_spec`) as a <div> + script, its JSON
  escaped for a script (no "</", no "://"); `figure_div(fig, name)` the same for a go.Figure.
- `esc(value)`: every text from data goes through html.escape; nothing from files is raw HTML.
- `profile_body(profile, lang, as_of, reasons=None, chart=True)`: one household's section.
- `render(profiles, lang, as_of, reasons=None) -> str`: the document for one or many households.
- `show(profile, ctx, key)`: Streamlit: the profile inline (st.html, no scripts) + income chart +
  HTML download.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import math
import re
import uuid
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.utils import PlotlyJSONEncoder

from etl import clock
from labels import code_label, t
from queries.profile import Profile
from ui import charts
from ui.formats import STORED_SEP, joined

PRINT_CSS = """
:root { --ink:#1f2933; --muted:#52606d; --line:#d9e2ec; --accent:#c0392b; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC","Noto Sans SC","Source Han Sans SC","Microsoft YaHei","PingFang SC",sans-serif;
       color: var(--ink); margin: 0 auto; max-width: 1100px; padding: 16px; font-size: 14px; line-height: 1.5; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 24px 0 8px; border-bottom: 2px solid var(--accent); }
h3 { font-size: 15px; margin: 14px 0 6px; color: var(--accent); }
.meta { color: var(--muted); font-size: 12px; }
table { border-collapse: collapse; width: 100%; margin: 4px 0 10px; font-size: 12.5px; }
th, td { border: 1px solid var(--line); padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #f0f4f8; white-space: nowrap; }
td.num { text-align: right; white-space: nowrap; }
td.nw, td.date { white-space: nowrap; }
.tw { overflow-x: auto; }  /* a table wider than a phone's screen scrolls in its own box */
/* a cell of running text keeps a readable width, and the table scrolls in its box instead: Chinese breaks
   after any character, so on a 390 px phone the briefing squeezed 走访原因 and 统计对象 to four characters a
   line, rows 120-440 px tall (a browser probe) */
td.wrap { min-width: 11em; }
.kv { display: grid; grid-template-columns: repeat(auto-fill, minmax(230px, 1fr)); gap: 2px 16px; }
.kv div { border-bottom: 1px dotted var(--line); padding: 2px 0; } .kv b { color: var(--muted); font-weight: normal; }
.tag { display: inline-block; background: #fdecea; color: var(--accent); border-radius: 3px; padding: 0 6px; margin: 1px 3px 1px 0; font-size: 12px; }
.kpis { display: grid; grid-template-columns: repeat(auto-fill, minmax(160px, 1fr)); gap: 8px; }
.kpi { border: 1px solid var(--line); border-radius: 6px; padding: 8px; }
.kpi .v { font-size: 22px; font-weight: bold; } .kpi .l { color: var(--muted); font-size: 12px; }
.household { page-break-after: always; break-after: page; }
.household:last-child { page-break-after: auto; break-after: auto; }
.chart { width: 100%; }
/* two charts side by side on a wide screen, one under the other on a phone (the briefing's trend). The
   columns are fixed, not auto-fit: each chart is drawn by its script as the page is read, and with the
   first alone in an auto-fit grid it took the whole width and lay under the second */
.pair { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 0 12px; }
@media (max-width: 640px) { .pair { grid-template-columns: minmax(0, 1fr); } }
.noprint button { font-size: 14px; padding: 4px 12px; margin: 8px 0; }
@media print {
  body { max-width: none; padding: 0; font-size: 11.5px; }
  .noprint { display: none !important; }
  /* a heading stays with what follows it (a chart's title was left alone at the foot of a page), a
     table row is never cut in two, and the chart toolbar (Plotly's modebar) does not print over legends */
  h2, h3 { page-break-after: avoid; break-after: avoid; }
  tr { page-break-inside: avoid; break-inside: avoid; }
  table, .chart, .kpis { page-break-inside: avoid; break-inside: avoid; }
  .modebar-container, .modebar { display: none !important; }
  /* a wide table (12 member columns, English headings) wraps its headings to fit A4: its last columns
     were cut off the page; short cells (names, places, statuses) stay whole, the long ones give way */
  th { white-space: normal; }
  /* a long text without a space (a web address, a run of digits) breaks where it must: one such
     township name made the briefing 880 px wide and Chromium shrank every page to fit it */
  td:not(.num):not(.nw):not(.date) { overflow-wrap: anywhere; }
  .tw { overflow: visible; }
  .pair { display: block; }  /* each chart is redrawn as wide as the page before printing */
  td.wrap { min-width: 0; }  /* on paper the table fits the page, as before */
  table { font-size: 10.5px; }
  @page { size: A4; margin: 12mm; }
}
"""
PAGE_MARGIN_MM = 12  # PRINT_CSS's @page
# The width of an A4 page's text in CSS px (96 a inch) within the margins of PRINT_CSS's @page
PRINT_WIDTH_PX = round((210 - 2 * PAGE_MARGIN_MM) / 25.4 * 96)
# Charts are drawn as wide as the screen (1,068 px on a 1280 px one) and keep that width on paper, and
# Chromium shrinks a page to its widest element: the whole briefing printed at 66%, its tables' text at
# 5 pt. Before printing each chart is redrawn as wide as the page; after, as wide as its box again.
PRINT_CHARTS_JS = """<script>(function () {
  function each(f) { document.querySelectorAll(".plotly-graph-div").forEach(function (gd) { if (gd.layout) f(gd); }); }
  window.addEventListener("beforeprint", function () { each(function (gd) { Plotly.relayout(gd, {width: PRINT_WIDTH}); }); });
  window.addEventListener("afterprint", function () { each(function (gd) { Plotly.relayout(gd, {width: null}).then(function () { Plotly.Plots.resize(gd); }); }); });
})();</script>""".replace("PRINT_WIDTH", str(PRINT_WIDTH_PX))


# For the inline view (st.html renders into the app page): only the profile's own classes, scoped.
INLINE_CSS = """
.fp-profile table { border-collapse: collapse; width: 100%; margin: 4px 0 10px; font-size: 13px; }
.fp-profile th, .fp-profile td { border: 1px solid #d9e2ec; padding: 3px 6px; text-align: left; vertical-align: top; }
.fp-profile th { background: #f0f4f8; white-space: nowrap; }
.fp-profile td.num { text-align: right; }
/* as the file's (PRINT_CSS): in the page on a phone a masked name, a date and a visit type broke in two
   (2020-06- over 23, read as two values) while the long notes beside them kept their width (a browser probe) */
.fp-profile td.num, .fp-profile td.nw, .fp-profile td.date { white-space: nowrap; }
.fp-profile td.wrap { min-width: 11em; }
.fp-profile .tw { overflow-x: auto; }  /* a wide table (12 member columns) scrolls in its own box */
.fp-profile h2 { font-size: 18px; margin: 8px 0; } .fp-profile h3 { font-size: 15px; margin: 12px 0 4px; color: #c0392b; }
.fp-profile .kv { display: grid; grid-template-columns: repeat(auto-fill, minmax(230px, 1fr)); gap: 2px 16px; }
.fp-profile .kv div { border-bottom: 1px dotted #d9e2ec; } .fp-profile .kv b { color: #52606d; font-weight: normal; }
.fp-profile .tag { display: inline-block; background: #fdecea; color: #c0392b; border-radius: 3px; padding: 0 6px; margin: 1px 3px; }
.fp-profile .meta { color: #52606d; font-size: 12px; }
"""


def esc(value: object) -> str:
    """Escaped text of a cell (blank for missing values)."""
    if isinstance(value, str):  # most cells: no missing-value checks needed
        return html.escape(value)
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    try:
        if pd.isna(value):  # type: ignore[arg-type]
            return ""
    except (TypeError, ValueError):
        pass
    if isinstance(value, pd.Timestamp | dt.datetime):
        return html.escape(value.strftime("%Y-%m-%d"))
    if isinstance(value, float):
        return html.escape(amount_text(value))
    return html.escape(str(value))


def ratio_floor(ratio: object) -> float | None:
    """An income's ratio to its line cut (not rounded) to two decimals, so that it stays on its side of
    the lines it is judged by (1.0, 1.5): 3,217.99 of a 3,218 line was written 1 beside 低于贫困线 是."""
    if ratio is None or pd.isna(ratio):  # type: ignore[arg-type]
        return None
    return math.floor(float(ratio) * 100 + 1e-9) / 100  # type: ignore[arg-type]


def amount_text(value: float) -> str:
    """A number of yuan as the profile's tables write it: 1,200.5 and 3,217.99, whole ones without
    decimals (5,000). The income chart wrote 3,217.99 as 3,218 on a bar at the 3,218 line of a household
    below it, and the measures' total 1,200.50 元 as 1,200 元, beside rows of 1,200.5."""
    return f"{value:,.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"


_NO_URL = ":\\/\\/"  # "://" as JavaScript reads it, without writing a URL into the file


@cache
def _plotly_script() -> str:
    """Plotly's JS as a <script> element, cached whole so a document copies its 4.8 MB once (a copy
    costs milliseconds)."""
    from plotly.offline import get_plotlyjs

    # No http(s) reference in the file: inside JS strings, regexes and comments "\/" is "/".
    js = get_plotlyjs().replace("://", _NO_URL).replace("</script", "<\\/script")
    return f"<script>{js}</script>"


def document(title: str, body: str, lang: str, *, charts_js: bool = True) -> str:
    head_js = _plotly_script() + PRINT_CHARTS_JS if charts_js else ""
    return (
        f'<!DOCTYPE html><html lang="{"en" if lang == "en" else "zh-CN"}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{PRINT_CSS}</style>{head_js}</head><body>"
        f'<div class="noprint"><button onclick="window.print()">{esc(t("insp.profile.print", lang))}</button></div>'
        f"{body}</body></html>"
    )


_CHART_CONFIG = {"displaylogo": False, "responsive": True}
# Plotly's own escaping of JSON inside a <script> (plotly.io.to_json): no "</" can close the script
# and no "://" (a URL) can appear, since "/" itself is written as \u002f.
_JSON_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("/", "\\u002f"))


def _script_json(value: object) -> str:
    """JSON for a <script>: numpy/pandas values and dates converted, NaN and infinities as null."""
    text = json.dumps(value, cls=PlotlyJSONEncoder, separators=(",", ":"))
    for raw, escaped in _JSON_ESCAPES:
        text = text.replace(raw, escaped)
    return text


@cache
def _template(name: str) -> dict[str, Any]:
    """A Plotly template as plain JSON data (read once: converting it costs more than a chart)."""
    return pio.templates[name].to_plotly_json()


def spec_div(spec: dict[str, Any], name: str = "") -> str:
    """A figure given as plain data ({"data": [...], "layout": {...}}, e.g. `ui.charts.bar_spec`) as a
    <div> + script drawing it: the markup `fig.to_html(include_plotlyjs=False, full_html=False)` writes,
    without building and validating a go.Figure. The default template is added as go.Figure adds it, so
    the chart looks the same. Every text from the data is escaped first (`ui.charts.safe_spec`). `name`:
    what a screen reader calls the chart (role "figure"; an unnamed chart is a graphic of numbers)."""
    spec = charts.safe_spec(spec)
    layout = spec.get("layout", {})
    if "template" not in layout and pio.templates.default:
        layout = {**layout, "template": _template(pio.templates.default)}
    height = layout.get("height", layout.get("template", {}).get("layout", {}).get("height"))
    div_id = str(uuid.uuid4())
    named = f' role="figure" aria-label="{esc(name)}"' if name else ""
    return (f'<div class="chart"{named}><div style="height:{f"{height}px" if height else "100%"}; width:100%;">'
            f'<div id="{div_id}" class="plotly-graph-div" style="height:100%; width:100%;"></div>'
            f'<script>window.PLOTLYENV=window.PLOTLYENV || {{}};if (document.getElementById("{div_id}")) '
            f'{{Plotly.newPlot("{div_id}", {_script_json(spec.get("data", []))}, {_script_json(layout)}, '
            f"{_script_json(_CHART_CONFIG)})}};</script></div></div>")


def figure_div(fig: go.Figure, name: str = "") -> str:
    """A go.Figure as a <div> + script (written by `spec_div`)."""
    return spec_div(fig.to_plotly_json(), name)


def _cell_text(value: object, column: str, lang: str) -> str:
    from ui.table import code_text, value_texts

    if isinstance(value, bool):
        return esc(t("common.yes" if value else "common.no", lang))
    if isinstance(value, list | tuple):
        return esc(joined((code_label(v, lang) for v in value), lang))
    if isinstance(value, str):
        # a code column's cell of several values (长期慢性病、残疾) value by value, as the grid shows it
        texts = value_texts(column, lang) if column else None
        return esc(code_text(value, lang, texts) if texts else code_label(value, lang))
    return esc(value)


SHORT_CELL = 8  # characters of a text cell kept on one line (names, places, codes)
_DATE_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}")


def _cell_class(value: object, shown: str) -> str:
    """A cell's class, from its value and the text it shows (unescaped, in the reader's language: a code
    by its label): "num" (a number: right-aligned, one line); "date" (one line: 2019-09-14 cut into
    2019-09- / 14 read as two values); "nw" (a short text, a name, a place, a status: one line, on paper
    too: a printed visit list wrote 秦*/林 and 已脱/贫 beside a wide column of reasons); "wrap" (longer text:
    wraps, at a readable width on a phone); "" (anything else, a blank)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "num"
    if isinstance(value, dt.date) or (isinstance(value, str) and _DATE_TEXT.fullmatch(value)):
        return "date"
    if isinstance(value, str) and len(shown) <= SHORT_CELL:
        return "nw"
    return "wrap" if len(shown) > SHORT_CELL else ""


def table_html(df: pd.DataFrame, lang: str, columns: Sequence[str] | None = None) -> str:
    """A labelled, escaped HTML table (column labels as in ui.table)."""
    from ui.table import column_label

    if df.empty:
        return f'<p class="meta">{esc(t("insp.profile.none", lang))}</p>'
    cols = [c for c in (columns or list(df.columns)) if c in df.columns]
    head = "".join(f"<th>{esc(column_label(c, lang))}</th>" for c in cols)
    rows = []
    for rec in df[cols].to_dict("records"):
        cells = []
        for c in cols:
            v = rec[c]
            # numbers, and short texts (a name, a township) kept on one line: 廖*凤 wrapped to 廖* / 凤 in
            # a wide table (a probe); longer texts (notes, descriptions) wrap as before
            text = _cell_text(v, c, lang)
            cls = _cell_class(v, html.unescape(text))
            attr = f' class="{cls}"' if cls else ""
            cells.append(f"<td{attr}>{text}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f'<div class="tw"><table><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>'


def _kv(pairs: Iterable[tuple[str, object]], lang: str) -> str:
    colon = t("common.colon", lang)
    items = "".join(f"<div><b>{esc(k)}{colon}</b>{_cell_text(v, '', lang)}</div>" for k, v in pairs)
    return f'<div class="kv">{items}</div>'


def income_figure(profile: Profile, lang: str) -> go.Figure | None:
    inc = profile.income
    if inc.empty:
        return None
    years = [str(y) for y in inc["income_year"]]
    fig = charts.unvalidated()
    fig.add_trace(go.Bar(x=years, y=inc["income_per_capita"], name=t("field.income_per_capita", lang),
                         text=[amount_text(float(v)) for v in inc["income_per_capita"]], textposition="outside",
                         marker_color="#1f77b4", cliponaxis=False))
    fig.add_trace(go.Scatter(x=years, y=inc["poverty_line"], name=t("col.poverty_line", lang), mode="lines+markers",
                             line={"color": "#d62728", "dash": "dash"}))
    fig.add_trace(go.Scatter(x=years, y=inc["poverty_line"] * 1.5, name=t("col.monitoring_line", lang),
                             mode="lines", line={"color": "#ff7f0e", "dash": "dot"}))
    fig.update_xaxes(type="category", title_text=t("field.income_year", lang))
    fig.update_yaxes(title_text=t("insp.axis.yuan", lang), rangemode="tozero", tickformat=",d")  # 5,000 元, not 5k
    return charts.style(fig, 300)


def profile_body(profile: Profile, lang: str, as_of: dt.date, reasons: Sequence[str] | None = None,
                 chart: bool = True) -> str:
    h = profile.household
    parts: list[str] = []
    # each part escaped on its own: a missing one is blank (among several households a gap is NaN)
    title = (f"{esc(h.get('township'))} {esc(h.get('village'))} · {esc(h.get('household_id'))} · "
             f"{esc(h.get('head_name'))}")
    parts.append(f'<section class="household"><h2>{esc(t("insp.profile.title", lang))}{t("common.colon", lang)}'
                 f'{title}</h2>')
    if reasons:
        tags = "".join(f'<span class="tag">{esc(r)}</span>' for r in reasons)
        parts.append(f"<h3>{esc(t('insp.profile.reasons', lang))}</h3><div>{tags}</div>")
    parts.append(f"<h3>{esc(t('insp.profile.basic', lang))}</h3>")
    fields = ["township", "village", "household_id", "head_name", "head_id_number", "household_size",
              "household_attribute", "exit_status", "exit_year", "enjoys_policy", "monitoring_type",
              "risk_eliminated", "identified_date", "income_per_capita", "income_year", "unsafe_housing",
              "safe_water", "helper_name", "helper_unit", "phone"]
    from ui.table import column_label

    parts.append(_kv(((column_label(f, lang), h.get(f)) for f in fields), lang))
    parts.append(f"<h3>{esc(t('insp.profile.causes', lang))}</h3>")
    # the query joins them as text (缺劳力、因病): split, so that each is translated. None of them is None
    # for one household and NaN among several (a pandas column of texts and gaps), which read "nan"
    others = h.get("other_causes")
    parts.append(_kv([(t("field.main_cause", lang), h.get("main_cause")),
                      (t("field.other_causes", lang),
                       others.split(STORED_SEP) if isinstance(others, str) and others else None)], lang))
    parts.append(f"<h3>{esc(t('insp.profile.members', lang))}</h3>")
    parts.append(table_html(profile.members, lang))
    parts.append(f"<h3>{esc(t('insp.profile.measures', lang))}</h3>")
    parts.append(table_html(profile.measures, lang))
    if profile.measures["amount_yuan"].notna().any():  # no total of measures none of which has a 金额 (not 0 元)
        total = float(profile.measures["amount_yuan"].sum())
        parts.append(f'<p class="meta">{esc(t("insp.profile.total_amount", lang, amount=amount_text(total)))}</p>')
    parts.append(f"<h3>{esc(t('insp.profile.income', lang))}</h3>")
    income = profile.income.assign(ratio=[ratio_floor(r) for r in profile.income["ratio"]])
    parts.append(table_html(income, lang, ["income_year", "income_per_capita", "poverty_line", "ratio",
                                           "below_line", "within_monitoring"]))
    fig = income_figure(profile, lang) if chart else None
    if fig is not None:
        parts.append(figure_div(fig, t("insp.profile.income", lang)))
    parts.append(f"<h3>{esc(t('insp.profile.visits', lang))}</h3>")
    parts.append(table_html(profile.visits, lang))
    parts.append(f"<h3>{esc(t('insp.profile.claims', lang))}</h3>")
    parts.append(table_html(profile.claims.rename(
        columns={"critical_illness_insurance": "critical_illness_insurance_paid"}), lang))
    parts.append(f"<h3>{esc(t('insp.profile.open_items', lang))}</h3>")
    parts.append(table_html(profile.open_items, lang))
    parts.append(f"<h3>{esc(t('insp.profile.defects', lang))}</h3>")
    defects = profile.defects.copy()
    if not defects.empty:
        defects.insert(0, "rule_name", [t(f"rulename.{r}", lang) for r in defects["rule"]])
        defects = defects.drop(columns=["rule"]).assign(  # the column as its label names it, not id_number
            field=[t(f"field.{f}", lang) if isinstance(f, str) else "" for f in defects["field"]])
    parts.append(table_html(defects, lang))
    parts.append("</section>")
    return "".join(parts)


def render(profiles: Sequence[Profile], lang: str, as_of: dt.date,
           reasons: dict[str, list[str]] | None = None) -> str:
    """One self-contained HTML document with the profiles (one per printed page)."""
    now = clock.now().strftime("%Y-%m-%d %H:%M")
    body = [f"<h1>{esc(t('insp.profile.title', lang))}</h1>",
            f'<p class="meta">{esc(t("insp.profile.generated", lang, now=now, date=as_of.isoformat()))}</p>']
    if not profiles:
        body.append(f"<p>{esc(t('insp.profile.not_found', lang))}</p>")
    for p in profiles:
        hid = str(p.household.get("household_id"))
        body.append(profile_body(p, lang, as_of, (reasons or {}).get(hid)))
    return document(t("insp.profile.title", lang), "".join(body), lang)


def show(profile: Profile | None, ctx: Any, key: str, reasons: list[str] | None = None) -> None:
    """The profile on a page: escaped HTML (no scripts) + the income chart + a download."""
    import streamlit as st

    from ui import extract

    if profile is None:
        st.warning(ctx.t("insp.profile.not_found"))
        return
    fig = income_figure(profile, ctx.lang)
    st.html(f'<style>{INLINE_CSS}</style><div class="fp-profile">'
            + profile_body(profile, ctx.lang, ctx.as_of, reasons, chart=False) + "</div>")
    if fig is not None:
        charts.show(fig, f"{key}_income", figure="profile.income")
    hid = str(profile.household.get("household_id"))
    what = f"{ctx.t('insp.what.profile')}_{hid}"
    extract.download(
        ctx.t("insp.visits.download_one"),
        lambda: render([profile], ctx.lang, ctx.as_of, {hid: reasons or []}).encode("utf-8"),
        what=what, fmt="html", rows=1, mime="text/html", key=f"{key}_dl", icon=":material/print:",
        file_name=extract.file_name(what, extract.scoped(ctx.flt, ctx.viewer), ctx.as_of, "html", ctx.lang),
    )
