"""总览 Overview: KPI row, township (or village) table with in-cell bars, click to drill down."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from etl.codes import CODE_ORDER
from queries import overview as q
from ui import charts, data, header, table
from ui import filters as ui_filters
from ui.context import PageContext, current

_TABLE_KEY = "ov_table"
_CHART_KEY = "ov_chart"
_ROWS_KEY = "ov_rows"  # (level, [area names by row]) of the table as last drawn


def _level(ctx: PageContext) -> str:
    return "village" if len(ctx.flt.townships) == 1 else "township"


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
    c = st.columns(6)
    c[0].metric(ctx.t("kpi.households"), ctx.num(k["households"]), border=True)
    c[1].metric(ctx.t("kpi.people"), ctx.num(k["people"]), border=True)
    c[2].metric(ctx.t("kpi.exited"), ctx.num(k["exited"]), border=True)
    c[3].metric(ctx.t("kpi.not_exited"), ctx.num(k["not_exited"]), border=True)
    c[4].metric(ctx.t("kpi.returned"), ctx.num(k["returned"]), border=True)
    c[5].metric(ctx.t("kpi.exit_rate"), ctx.pct(k["exit_rate"]), border=True)
    c = st.columns(6)
    c[0].metric(ctx.t("kpi.monitored"), ctx.num(k["monitored"]), border=True)
    c[1].metric(ctx.t("kpi.coverage"), ctx.pct(k["coverage"]), help=ctx.t("kpi.coverage_help"), border=True)
    c[2].metric(ctx.t("kpi.wrong_exits"), ctx.num(k["wrong_exits"]), border=True)
    c[3].metric(ctx.t("kpi.rect_open"), ctx.num(k["rect_open"]), border=True)
    c[4].metric(ctx.t("kpi.rect_overdue"), ctx.num(k["rect_overdue"]), border=True)
    c[5].metric(ctx.t("kpi.archive_defects"), ctx.num(k["archive_defects"]),
                help=ctx.t("kpi.archive_help"), border=True)


def area_chart(ctx: PageContext, df: pd.DataFrame, level: str) -> None:
    long = df.melt(id_vars=[level], value_vars=["exited", "not_exited", "returned"], var_name="s",
                   value_name="n")
    status = {"exited": "已脱贫", "not_exited": "未脱贫", "returned": "返贫"}
    long["status"] = [ctx.code(status[s]) for s in long["s"]]
    fig = charts.bar(long, level, "n", color="status", orientation="h",
                     color_order=[ctx.code(v) for v in CODE_ORDER["exit_status"]][::-1],
                     x_title=ctx.t(f"field.{level}"), y_title=ctx.t("col.households"),
                     title=ctx.t("overview.chart_title" if level == "township" else "overview.chart_title_village"))
    charts.show(fig, f"{_CHART_KEY}_{level}", on_select=_on_chart_select)


def main() -> None:
    ctx = current()
    header.show("overview.title")
    k = data.run(q.kpis, ctx.flt, as_of=ctx.as_of).iloc[0]
    if int(k["all_households"]) == 0:
        header.empty()
        return
    kpi_row(ctx, k)

    level = _level(ctx)
    df = data.run(q.by_area, ctx.flt, level=level)
    if level == "village":
        st.subheader(ctx.md("overview.by_village", township=ctx.flt.townships[0]))
        st.button(ctx.t("common.back_to_county"), on_click=ui_filters.clear_area, icon=":material/arrow_back:")
    else:
        st.subheader(ctx.t("overview.by_township"))
    st.caption(ctx.t("overview.drill_hint"))
    st.session_state[_ROWS_KEY] = (level, [str(v) for v in df[level]])
    view = df.drop(columns=["township"]) if level == "village" else df
    max_hh = int(df["households"].max() or 1)
    counts = {c: st.column_config.NumberColumn(format="localized")  # 30,016,857, not 30016857
              for c in view.columns if pd.api.types.is_integer_dtype(view[c])}
    table.show(
        f"{_TABLE_KEY}_{level}", view, ctx.t("what.overview_villages" if level == "village" else "what.overview_townships"),
        column_config={
            **counts,
            "households": st.column_config.ProgressColumn(format="localized", min_value=0, max_value=max_hh),
            "exit_rate": st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1),
            "coverage": st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1),
        },
        on_select=_on_table_select,
    )
    area_chart(ctx, df, level)


main()
