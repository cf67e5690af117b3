"""总览 Overview: KPI row, township (or village) table with in-cell bars, click to drill down."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from etl.codes import CODE_ORDER
from queries import overview as q
from queries.filters import area_level
from queries.population import REGISTERED
from ui import charts, data, empty, figures, header, since, table
from ui import filters as ui_filters
from ui.context import PageContext, current

_TABLE_KEY = "ov_table"
_CHART_KEY = "ov_chart"
_ROWS_KEY = "ov_rows"  # (level, [area names by row]) of the table as last drawn
_LAST = ("people", "monitored")  # the by-area table's columns a narrow screen may scroll to
# the tiles and columns a ledger holds: unknown ("—", blank), not 0 or 0%, until it holds a row
_OF_LEDGER = {"coverage": "interventions", "no_measure": "interventions",
              "rect_open": "rectifications", "rect_overdue": "rectifications"}


def _level(ctx: PageContext) -> str:
    return area_level(ctx.flt, ctx.viewer)


def _on_table_select() -> None:
    level, names = st.session_state.get(_ROWS_KEY, ("township", []))
    state = st.session_state.get(f"{_TABLE_KEY}_{level}")
    try:
        rows = state["selection"]["rows"]
    except (KeyError, TypeError):
        return
    if rows and rows[0] < len(names):
        _drill(level, names[rows[0]])


def _on_chart_select() -> None:
    level, _ = st.session_state.get(_ROWS_KEY, ("township", []))
    picked = charts.selected(f"{_CHART_KEY}_{level}", "y")
    if picked:
        _drill(level, str(picked[0]))


def _drill(level: str, name: str) -> None:
    if level == "township":
        ui_filters.drill_to(township=name)
    else:
        ui_filters.drill_to(village=name)


def kpi_row(ctx: PageContext, k: pd.Series) -> None:
    """Two rows of tiles, each named and explained by its dictionary entry (queries.figures)."""
    counts = ("households", "people", "exited", "not_exited", "returned", "exit_rate",
              "monitored", "coverage", "wrong_exits", "rect_open", "rect_overdue", "archive_defects")
    k = k.copy()
    missing = empty.unknown_figures(_OF_LEDGER, k)
    for col, key in zip(figures.tile_slots(len(counts), "overview"), counts, strict=True):
        rate = key in ("exit_rate", "coverage")
        value = None if pd.isna(k[key]) else (float(k[key]) if rate else int(k[key]))
        figures.metric(col, ctx, key, value, ctx.pct(k[key]) if rate else ctx.num(k[key]))
    empty.note_unknown(missing)


def area_chart(ctx: PageContext, df: pd.DataFrame, level: str) -> None:
    long = df.melt(id_vars=[level], value_vars=["exited", "not_exited", "returned"], var_name="s",
                   value_name="n")
    status = {"exited": "已脱贫", "not_exited": "未脱贫", "returned": "返贫"}
    long["status"] = [ctx.code(status[s]) for s in long["s"]]
    fig = charts.bar(long, level, "n", color="status", orientation="h",
                     color_order=[ctx.code(v) for v in CODE_ORDER["exit_status"]],  # as on the exit-status page
                     x_title=ctx.t(f"field.{level}"), y_title=ctx.t("col.households"),
                     title=ctx.t("overview.chart_title" if level == "township" else "overview.chart_title_village"))
    charts.show(fig, f"{_CHART_KEY}_{level}", on_select=_on_chart_select, figure="exit.status")


def main() -> None:
    ctx = current()
    header.show("overview.title")
    k = data.run(q.kpis, ctx, as_of=ctx.as_of).iloc[0]
    if int(k["all_households"]) == 0:
        # township and village items follow the place filters alone: open ones outlive an empty filter
        open_items = int(k["rect_open"])
        empty.show(ctx.t("overview.empty_open_items", open=open_items, overdue=int(k["rect_overdue"]),
                         page=ctx.t("nav.rectification")) if open_items else None)
        return
    kpi_row(ctx, k)

    level = _level(ctx)
    df = data.run(q.by_area, ctx, level=level)
    if level == "village":
        st.subheader(ctx.md("overview.by_village", township=df["township"].iloc[0] if len(df) else ""))
        if ctx.flt.townships or ctx.flt.villages:  # a one-township viewer has no banner to go back to
            st.button(ctx.t("common.back_to_county"), on_click=ui_filters.clear_area, icon=":material/arrow_back:")
    else:
        st.subheader(ctx.t("overview.by_township"))
    st.caption(ctx.t("overview.drill_hint"))
    st.session_state[_ROWS_KEY] = (level, [str(v) for v in df[level]])
    view = df.drop(columns=["township"]) if level == "village" else df.copy()
    empty.unknown_figures(_OF_LEDGER, view)  # said under the tiles
    # what an inspector looks for first (wrong exits, households without a measure) before the columns a
    # narrow screen scrolls to: at 1280 px the last two were off the right edge (a browser review)
    view = view[[c for c in view.columns if c not in _LAST] + [c for c in _LAST if c in view.columns]]
    counts = {c: st.column_config.NumberColumn(format="localized")  # 30,016,857, not 30016857
              for c in view.columns if pd.api.types.is_integer_dtype(view[c])}
    # every column in the width of a laptop's page: the two rates as narrow bars, the counts as numbers
    # (a bar beside 户数 too pushed 无帮扶措施户 and 疑似错退户 off the right edge at 1280 px: a browser review)
    table.show(
        f"{_TABLE_KEY}_{level}", view, ctx.t("what.overview_villages" if level == "village" else "what.overview_townships"),
        column_config={
            **counts,
            "exit_rate": st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1, width=96),
            "coverage": st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1, width=112),
        },
        on_select=_on_table_select,
    )
    figures.population_note(ctx, "households")
    if int(df["households"].sum()):
        area_chart(ctx, df, level)
    else:  # only monitored households match: no bars to draw on an axis from -1 to 1
        empty.show_population(REGISTERED, switch=False, hint=ctx.t("overview.monitored_column"))
    since.section(ctx)


main()
