"""脱贫状态 Exit status: status by township, exits by year (per year and cumulative), income against the
line of its year, 两不愁三保障 and safe water, monitored and returned households, suspected wrong exits
(疑似错退) per township against the allowed 2%, with the household list."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from etl import rules
from etl.codes import CODE_ORDER
from queries import exits as q
from queries import households as qh
from queries.filters import area_level
from queries.population import REGISTERED
from ui import charts, data, empty, figures, header, table
from ui.context import PageContext, current

STATUS_ORDER = [*CODE_ORDER["exit_status"], "监测户"]
WRONG_COLUMNS = ["township", "village", "household_id", "head_name", "head_id_number", "member_count",
                 "main_cause", "exit_year", "income_per_capita", "income_year", "poverty_line", "reasons",
                 "categories", "helper_name"]


def status_section(ctx: PageContext) -> bool:
    level = area_level(ctx.flt, ctx.viewer)
    st.subheader(ctx.t("exit.by_township" if level == "township" else "exit.by_village"))
    df = data.run(q.status_by_area, ctx, level=level)
    if df.empty:
        empty.show()
        return False
    plot = df.assign(label=df["exit_status"].map(ctx.code))
    fig = charts.bar(plot, level, "households", color="label", orientation="h",
                     color_order=[ctx.code(s) for s in STATUS_ORDER], x_title=ctx.t(f"field.{level}"),
                     y_title=ctx.t("col.households"))
    left, right = st.columns([3, 2])
    with left:
        charts.show(fig, "exit_township_chart", figure="exit.status")
    with right:
        wide = df.pivot_table(index=level, columns="exit_status", values="households", aggfunc="sum",
                              fill_value=0)
        wide = wide[[s for s in STATUS_ORDER if s in wide.columns]]
        wide.insert(0, "households", wide.sum(axis=1))
        wide["exit_rate"] = wide.get("已脱贫", 0) / wide["households"]
        wide = wide.reset_index().sort_values("households", ascending=False)
        wide.columns = [ctx.code(c) if c in STATUS_ORDER else c for c in wide.columns]
        table.show("exit_township", wide, ctx.t("what.exit_township"), column_config={
            "exit_rate": st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1)})
    figures.record("households", int(df["households"].sum()))
    figures.record("exited", int(df.loc[df["exit_status"] == "已脱贫", "households"].sum()))
    return True


def year_section(ctx: PageContext) -> None:
    st.subheader(ctx.t("exit.by_year"))
    df = data.run(q.by_year, ctx)
    if df.empty:
        empty.show()
        return
    unknown = ctx.t("exit.year_unknown")
    df = df.assign(exit_year=[unknown if pd.isna(y) else str(int(y)) for y in df["exit_year"]])
    fig = charts.line(df, "exit_year",
                      [("exited", ctx.t("exit.series_exited")), ("cumulative", ctx.t("exit.series_cumulative")),
                       ("returned", ctx.t("exit.series_returned"))],
                      bars=("exited", "returned"), x_title=ctx.t("exit.axis_year"),
                      y_title=ctx.t("exit.axis_households"))
    left, right = st.columns([3, 2])
    with left:
        charts.show(fig, "exit_year_chart", figure="exit.by_year")
    with right:
        table.show("exit_year", df, ctx.t("what.exit_year"))
        if (df["exit_year"] == unknown).any():
            st.caption(ctx.t("exit.year_unknown_note"))
    figures.record("exited", int(df["exited"].sum()))


def _group_order(ctx: PageContext, popn: str) -> list[str]:
    return [ctx.code(s) for s in (CODE_ORDER["exit_status"] if popn == REGISTERED else CODE_ORDER["monitoring_type"])]


def income_section(ctx: PageContext, popn: str) -> None:
    st.subheader(ctx.t("exit.income"))
    st.caption(ctx.t("exit.income_caption"))
    hist = data.run(q.income_histogram, ctx, population=popn)
    bands = data.run(q.income_bands, ctx, population=popn)
    if hist.empty:
        empty.show()
        return
    plot = hist.assign(label=hist["grp"].map(ctx.code),
                       bin=[f"{v:.2f}" + ("+" if v >= 4 else "") for v in hist["ratio_bin"]])
    order = [f"{v / 4:.2f}" for v in range(0, 16)] + ["4.00+"]
    fig = charts.bar(plot, "bin", "households", color="label", order=order,
                     color_order=_group_order(ctx, popn), x_title=ctx.t("exit.axis_ratio"),
                     y_title=ctx.t("col.households"), height=380)
    present = [b for b in order if b in set(plot["bin"])]
    for value, key, dash in ((1.0, "exit.line", "solid"), (1.5, "exit.monitor_line", "dash")):
        label = f"{value:.2f}"
        if label in present:
            fig.add_vline(x=present.index(label) - 0.5, line_dash=dash, line_color="#d62728",
                          annotation_text=ctx.t(key), annotation_position="top right")
    left, right = st.columns([3, 2])
    with left:
        charts.show(fig, "exit_income_chart", figure="exit.income")
    with right:
        wide = bands.pivot_table(index="band", columns="grp", values="households", aggfunc="sum",
                                 fill_value=0)
        groups = CODE_ORDER["exit_status"] if popn == REGISTERED else CODE_ORDER["monitoring_type"]
        wide = wide[[s for s in groups if s in wide.columns]]
        wide.insert(0, "households", wide.sum(axis=1))
        band_order = ["below_line", "below_monitor", "above_monitor", "unknown"]
        wide = wide.reindex([b for b in band_order if b in wide.index]).reset_index()
        wide["band"] = [ctx.t(f"band.{b}") for b in wide["band"]]
        wide.columns = [ctx.code(c) if c in groups else c for c in wide.columns]
        st.markdown(f"**{ctx.t('exit.bands')}**")
        table.show("exit_income_bands", wide, ctx.t("what.exit_income"))


def assurance_section(ctx: PageContext, popn: str) -> None:
    level = area_level(ctx.flt, ctx.viewer)
    st.subheader(ctx.t("exit.assurances"))
    st.caption(ctx.t("exit.assurances_caption"))
    df = data.run(q.assurances, ctx, population=popn, level=level)
    if df.empty:
        empty.show()
        return
    indicators = ["unsafe_housing", "unsafe_water", "uninsured", "school_out"]
    long = df.melt(id_vars=[level], value_vars=indicators, var_name="ind", value_name="n")
    long["label"] = [ctx.t(f"col.{i}") for i in long["ind"]]
    colours = {"unsafe_housing": "#8c564b", "unsafe_water": "#17becf", "uninsured": "#d62728",
               "school_out": "#9467bd"}
    for i, c in colours.items():
        charts.COLORS.setdefault(ctx.t(f"col.{i}"), c)
    fig = charts.bar(long, level, "n", color="label", barmode="group",
                     order=list(df[level]), color_order=[ctx.t(f"col.{i}") for i in indicators],
                     x_title=ctx.t(f"field.{level}"), y_title=ctx.t("col.households"), height=360)
    fig.update_traces(textposition="outside", selector={"type": "bar"})
    charts.show(fig, "exit_assurance_chart", figure="exit.assurances")
    table.show("exit_assurances", df, ctx.t("what.exit_assurances"))
    if popn == REGISTERED:
        figures.record("households", int(df["households"].sum()))


def monitoring_section(ctx: PageContext) -> None:
    st.subheader(ctx.t("exit.monitoring"))
    df = data.run(q.monitoring, ctx)
    if df.empty:
        empty.show()
        return
    plot = df.assign(kind_label=df["kind"].map(ctx.code), risk_label=[ctx.t(f"risk.{r}") for r in df["risk"]])
    risk_colours = {"eliminated": "#2ca02c", "open": "#d62728", "unknown": "#c7c7c7"}
    for r, c in risk_colours.items():
        charts.COLORS.setdefault(ctx.t(f"risk.{r}"), c)
    fig = charts.bar(plot, "kind_label", "households", color="risk_label", orientation="h",
                     color_order=[ctx.t(f"risk.{r}") for r in risk_colours], x_title=ctx.t("col.kind"),
                     y_title=ctx.t("col.households"), height=260)
    left, right = st.columns([3, 2])
    with left:
        charts.show(fig, "exit_monitoring_chart", figure="exit.monitoring")
    with right:
        view = df.assign(risk=[ctx.t(f"risk.{r}") for r in df["risk"]])
        table.show("exit_monitoring", view, ctx.t("what.exit_monitoring"))


def wrong_exit_section(ctx: PageContext) -> None:
    st.subheader(ctx.t("exit.wrong"))
    st.caption(ctx.t("exit.wrong_caption"))
    df = data.run(q.wrong_exits, ctx)
    if df.empty:
        empty.show()
        return
    plot = df.sort_values("rate")
    colours = ["#d62728" if over else "#2ca02c" for over in plot["over_limit"]]
    fig = go.Figure(go.Bar(
        x=plot["rate"], y=plot["township"], orientation="h", marker_color=colours, cliponaxis=False,
        text=[f"{r:.1%}（{w}/{e}）" for r, w, e in zip(plot["rate"], plot["wrong_exits"], plot["exited"], strict=True)],
        textposition="outside"))
    fig.add_vline(x=rules.WRONG_EXIT_LIMIT, line_dash="dash", line_color="#7f7f7f", annotation_text=ctx.t("exit.limit"),
                  annotation_position="top right")
    fig.update_xaxes(title_text=ctx.t("exit.wrong_rate_axis"), tickformat=".0%", rangemode="tozero")
    fig.update_yaxes(title_text=ctx.t("field.township"), type="category")
    charts.style(fig, max(260, 30 * len(plot) + 120), legend=False)
    left, right = st.columns([2, 3])
    with left:
        charts.show(fig, "exit_wrong_chart", figure="exit.wrong")
    with right:
        table.show("exit_wrong", df, ctx.t("what.exit_wrong"), column_config={
            "rate": st.column_config.ProgressColumn(format="percent", min_value=0,
                                                    max_value=max(0.1, float(df["rate"].max())))})
    st.markdown(f"**{ctx.t('exit.wrong_list')}**")
    query = qh.listing_query(ctx.flt, ctx.viewer, condition="wrong_exit")
    table.show_list("exit_wrong_list", data.page(query), ctx.t("what.exit_wrong_list"), query,
                    columns=WRONG_COLUMNS, height=320)


def main() -> None:
    ctx = current()
    header.show("exit.title")
    if not status_section(ctx):
        return
    year_section(ctx)
    popn = figures.population_switch(ctx, "exit_population")
    income_section(ctx, popn)
    assurance_section(ctx, popn)
    monitoring_section(ctx)
    wrong_exit_section(ctx)


main()
