"""脱贫状态 Exit status: status by township, exits by year (per year and cumulative), income against the
line of its year, 两不愁三保障 and safe water, monitored and returned households, suspected wrong exits
(疑似错退) per township against the allowed 2%, with the household list."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from etl import rules
from etl.codes import CODE_ORDER
from etl.derive_cells import RATIO_CAP, RATIO_STEP, RETURNED_KIND
from queries import exits as q
from queries import households as qh
from queries import population
from queries.filters import area_level
from queries.population import REGISTERED
from ui import by_place, charts, data, empty, figures, header, layout, table
from ui.context import PageContext, current
from ui.formats import pct_beside

STATUS_ORDER = [*CODE_ORDER["exit_status"], "监测户"]
WRONG_COLUMNS = ["township", "village", "household_id", "head_name", "head_id_number", "member_count",
                 "main_cause", "exit_year", "income_per_capita", "income_year", "poverty_line", "reasons",
                 "categories", "helper_name"]


def status_section(ctx: PageContext) -> bool:
    level = area_level(ctx.flt, ctx.viewer)
    st.subheader(ctx.t(by_place.title_key("exit.status", level)))
    df = data.run(q.status_by_area, ctx, level=level)
    if df.empty:  # a section of registered households: the switch is below, for the sections it governs
        empty.show_population(REGISTERED, hint=ctx.t("exit.monitored_below"))
        return False
    plot = df.assign(label=df["exit_status"].map(ctx.code))
    fig = charts.bar(plot, level, "households", color="label", orientation="h",
                     color_order=[ctx.code(s) for s in STATUS_ORDER], x_title=ctx.t(f"field.{level}"),
                     y_title=ctx.t("col.households"))
    left, right = layout.pair("status", [3, 2])
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
        table.show("exit_township", wide, ctx.t(f"what.exit_{level}"), column_config={
            "exit_rate": st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1)})
    figures.record("households", int(df["households"].sum()))
    figures.record("exited", int(df.loc[df["exit_status"] == "已脱贫", "households"].sum()))
    return True


def year_figure(df: pd.DataFrame, ctx: PageContext) -> go.Figure:
    """Cumulative exits (a line, top panel) over the exits of each year and those since returned (bars,
    bottom panel), sharing the year axis: in the early years the cumulative equals the year's exits,
    and one panel put their labels and markers on top of each other."""
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.42, 0.58], vertical_spacing=0.1)
    years = df["exit_year"].tolist()
    cum = df["cumulative"].astype(float).tolist()
    fig.add_trace(go.Scatter(x=years, y=cum, name=ctx.t("exit.series_cumulative"), mode="lines+markers+text",
                             text=[f"{v:,.0f}" for v in cum], textposition="top center", cliponaxis=False,
                             line={"color": "#ff7f0e"}), row=1, col=1)
    # the status colours of every other chart: 已脱贫 green, 返贫 red (返贫 was drawn green here)
    for col, key, colour in (("exited", "exit.series_exited", charts.color_for("已脱贫")),
                             ("returned", "exit.series_returned", charts.color_for("返贫"))):
        fig.add_trace(go.Bar(x=years, y=df[col].tolist(), name=ctx.t(key), marker_color=colour, cliponaxis=False,
                             text=[f"{v:,.0f}" if v else "" for v in df[col]], textposition="outside",
                             # a number wider than its bar keeps its size: Plotly shrank 149 to 7 px on a phone
                             textangle=0, constraintext="none"), row=2, col=1)
    top_bar = float(df[["exited", "returned"]].max().max() or 1)
    fig.update_yaxes(title_text=ctx.t("exit.axis_households"), rangemode="tozero")
    top_cum = max(cum, default=0) * 1.3 or 1
    fig.update_yaxes(range=[0, top_cum], row=1, col=1, **charts.count_ticks(cum, top_cum))
    fig.update_yaxes(range=[0, top_bar * 1.25], row=2, col=1,  # whole households: no 0.5 ticks
                     **charts.count_ticks(df[["exited", "returned"]].to_numpy().ravel().tolist(), top_bar * 1.25))
    # upright year labels: the long "year unknown" has a short name on the axis (the table has the long one)
    fig.update_xaxes(type="category", tickangle=0)
    fig.update_xaxes(title_text=ctx.t("exit.axis_year"), row=2, col=1)
    return charts.style(fig, 420)


def year_section(ctx: PageContext) -> None:
    st.subheader(ctx.t("exit.by_year"))
    df = data.run(q.by_year, ctx)
    if df.empty:  # shown only beside registered households (main): none of them has exited
        st.info(ctx.t("exit.none_exited"))
        return
    unknown = ctx.t("exit.year_unknown")
    df = df.assign(exit_year=[unknown if pd.isna(y) else str(int(y)) for y in df["exit_year"]])
    axis = df.assign(exit_year=df["exit_year"].replace(unknown, ctx.t("exit.year_unknown_axis")))
    left, right = layout.pair("years", [3, 2])
    with left:
        charts.show(year_figure(axis, ctx), "exit_year_chart", figure="exit.by_year")
    with right:
        table.show("exit_year", df, ctx.t("what.exit_year"))
        if (df["exit_year"] == unknown).any():
            st.caption(ctx.t("exit.year_unknown_note"))
    figures.record("exited", int(df["exited"].sum()))


def _group_order(ctx: PageContext, popn: str) -> list[str]:
    return [ctx.code(s) for s in (CODE_ORDER["exit_status"] if popn == REGISTERED else CODE_ORDER["monitoring_type"])]


def income_figure(hist: pd.DataFrame, ctx: PageContext, popn: str) -> go.Figure:
    """Households per bin of income / line on a numeric axis: each bar spans its bin (the last one is
    "4 and more"), so the poverty line (1.0) and the monitoring line (1.5) sit where their values are,
    whichever bins have households. The lines' names are written inside the top of the plot, the
    poverty line's to its left and the monitoring line's to its right, above the tallest bar's total."""
    half = RATIO_STEP / 2
    plot = hist.assign(label=hist["grp"].map(ctx.code), mid=hist["ratio_bin"].astype(float) + half,
                       span=[f"≥ {v:.2f}" if v >= RATIO_CAP else "< 0" if v < 0 else f"{v:.2f}–{v + RATIO_STEP:.2f}"
                             for v in hist["ratio_bin"].astype(float)])
    fig = charts.bar(plot, "mid", "households", color="label", order=sorted(set(plot["mid"])),
                     color_order=_group_order(ctx, popn), x_title=ctx.t("exit.axis_ratio"),
                     y_title=figures.households_axis(ctx, popn), height=380, customdata="span")
    fig.update_traces(width=RATIO_STEP * 0.92, hovertemplate="%{customdata}: %{y}<extra>%{fullData.name}</extra>",
                      selector={"type": "bar"})
    # negative incomes share the one bin below 0 (etl.derive_cells.ratio_bin_sql), ticked "<0" in place of 0
    lo = min(0.0, float(plot["ratio_bin"].min()))
    ticks = [i * 0.5 for i in range(1 if lo < 0 else 0, int(RATIO_CAP / 0.5))]
    below = [lo + half] if lo < 0 else []
    fig.update_xaxes(type="linear", range=[lo, RATIO_CAP + RATIO_STEP], tickvals=[*below, *ticks, RATIO_CAP + half],
                     ticktext=["<0"] * len(below) + [f"{v:g}" for v in ticks] + [f"≥{RATIO_CAP:g}"])
    tallest = float(plot.groupby("mid")["households"].sum().max() or 1)
    fig.update_yaxes(range=[0, tallest * 1.35])  # headroom: the lines' names above the totals
    for value, key, dash, side in ((1.0, "exit.line", "solid", "top left"),
                                   (1.5, "exit.monitor_line", "dash", "top right")):
        fig.add_vline(x=value, line_dash=dash, line_color="#d62728", annotation_text=ctx.t(key),
                      annotation_position=side, annotation_bgcolor="rgba(255,255,255,0.85)")
    return fig


def income_section(ctx: PageContext) -> str:
    """Income against the line; its heading carries the population switch, which the assurances below
    follow too (returned). Above the heading it read as the year table's (a browser review)."""
    st.subheader(ctx.t("exit.income"))
    popn = figures.population_switch(ctx, "exit_population")
    st.caption(ctx.t("exit.income_caption"))
    hist = data.run(q.income_histogram, ctx, population=popn)
    bands = data.run(q.income_bands, ctx, population=popn)
    if hist.empty:
        empty.show_population(popn)
        return popn
    fig = income_figure(hist, ctx, popn)
    left, right = layout.pair("income", [3, 2])
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
    return popn


def assurance_section(ctx: PageContext, popn: str) -> None:
    level = area_level(ctx.flt, ctx.viewer)
    st.subheader(ctx.t("exit.assurances"))
    st.caption(ctx.t("exit.assurances_caption"))
    df = data.run(q.assurances, ctx, population=popn, level=level)
    if df.empty:
        empty.show_population(popn)
        return
    indicators = ["unsafe_housing", "unsafe_water", "uninsured", "school_out"]
    long = df.melt(id_vars=[level], value_vars=indicators, var_name="ind", value_name="n")
    long["label"] = [ctx.t(f"col.{i}") for i in long["ind"]]
    colours = {"unsafe_housing": "#8c564b", "unsafe_water": "#17becf", "uninsured": "#d62728",
               "school_out": "#9467bd"}
    for i, c in colours.items():
        charts.COLORS.setdefault(ctx.t(f"col.{i}"), c)
    if not long["n"].any():  # nothing to draw: a blank grid with a -1..1 axis said nothing
        st.success(ctx.t("exit.assurances_none"))
    else:
        orientation = charts.orientation_for(df[level], len(indicators))  # many bars: a name a line
        order = list(df[level])
        fig = charts.bar(long, level, "n", color="label", barmode="group", orientation=orientation,
                         order=order if orientation == "v" else order[::-1],  # the first place on top
                         color_order=[ctx.t(f"col.{i}") for i in indicators],
                         x_title=ctx.t(f"field.{level}"), y_title=figures.households_axis(ctx, popn),
                         height=360 if orientation == "v" else None)
        fig.update_traces(textposition="outside", selector={"type": "bar"})
        charts.show(fig, "exit_assurance_chart", figure="exit.assurances")
    unrecorded = {c: int(df[c].sum()) for c in ("housing_unrecorded", "water_unrecorded")}
    if any(unrecorded.values()):  # the chart and 达标 count them as no problem found: said
        st.caption(ctx.t("exit.assurances_unrecorded", housing=unrecorded["housing_unrecorded"],
                         water=unrecorded["water_unrecorded"]))
    table.show("exit_assurances", df, ctx.t("what.exit_assurances"))
    figures.record("households" if popn == REGISTERED else "monitored", int(df["households"].sum()))


def monitoring_section(ctx: PageContext) -> None:
    st.subheader(ctx.t("exit.monitoring"))
    df = data.run(q.monitoring, ctx)
    if df.empty:
        if int(data.run(population.counts, ctx)[REGISTERED].sum()):  # registered ones, none monitored or returned
            st.info(ctx.t("exit.no_monitored"))
        else:
            empty.show()
        return
    figures.record("monitored", int(df.loc[df["kind"] != RETURNED_KIND, "households"].sum()))  # 返贫 is its own bar
    plot = df.assign(kind_label=df["kind"].map(ctx.code), risk_label=[ctx.t(f"risk.{r}") for r in df["risk"]])
    risk_colours = {"eliminated": charts.PASS_COLOR, "open": charts.FAIL_COLOR, "unknown": charts.NO_FIGURE_COLOR}
    for r, c in risk_colours.items():
        charts.COLORS.setdefault(ctx.t(f"risk.{r}"), c)
    fig = charts.bar(plot, "kind_label", "households", color="risk_label", orientation="h",
                     color_order=[ctx.t(f"risk.{r}") for r in risk_colours], x_title=ctx.t("col.kind"),
                     y_title=ctx.t("col.households"), height=260)
    left, right = layout.pair("wrong_exit", [3, 2])
    with left:
        charts.show(fig, "exit_monitoring_chart", figure="exit.monitoring")
    with right:
        view = df.assign(kind=plot["kind_label"], risk=plot["risk_label"])  # as the chart names them
        table.show("exit_monitoring", view, ctx.t("what.exit_monitoring"))


def wrong_exit_figure(df: pd.DataFrame, level: str, ctx: PageContext) -> go.Figure:
    """The wrong-exit rate per place (highest on top), red over the allowed limit. The labels are a
    column right of the plot, with room in the margin for the longest (written at the bars' ends, the
    limit's line crossed them and the figure's edge cut the longest); the limit's name is written above
    the plot, where no bar reaches."""
    plot = df.sort_values("rate", kind="stable")
    colours = [charts.FAIL_COLOR if over else charts.PASS_COLOR for over in plot["over_limit"]]
    labels = [ctx.t("chart.share_of", share=pct_beside(r, rules.WRONG_EXIT_LIMIT), part=w, whole=e)
              for r, w, e in zip(plot["rate"], plot["wrong_exits"], plot["exited"], strict=True)]
    top = max(float(plot["rate"].max()), rules.WRONG_EXIT_LIMIT) * 1.1
    fig = charts.unvalidated([
        go.Bar(x=plot["rate"].tolist(), y=plot[level].tolist(), orientation="h", marker_color=colours, text=labels,
               textposition="none", hovertemplate="%{y}: %{text}<extra></extra>"),
        go.Scatter(x=[top] * len(plot), y=plot[level].tolist(), mode="text", text=labels, textposition="middle right",
                   cliponaxis=False, hoverinfo="skip"),
    ])
    fig.add_vline(x=rules.WRONG_EXIT_LIMIT, line_dash="dash", line_color="#7f7f7f")
    fig.add_annotation(x=rules.WRONG_EXIT_LIMIT, xref="x", y=1, yref="paper", yanchor="bottom", showarrow=False,
                       text=ctx.t("exit.limit"), font={"color": "#7f7f7f"})
    fig.update_xaxes(title_text=ctx.t("exit.wrong_rate_axis"), tickformat=".1~%", range=[0, top])  # 0.5%, not 0%, 1%, 1%
    fig.update_yaxes(title_text=ctx.t(f"field.{level}"), type="category")
    charts.style(fig, max(260, 30 * len(plot) + 120), legend=False)
    fig.update_layout(margin={"r": 10 + max(table.text_px(t) for t in labels)})  # the label column
    return fig


def wrong_exit_section(ctx: PageContext) -> None:
    level = area_level(ctx.flt, ctx.viewer)
    st.subheader(ctx.t("exit.wrong"))
    st.caption(ctx.t("exit.wrong_caption", page=ctx.t("nav.inspection_rates")))
    df = data.run(q.wrong_exits, ctx, level=level)
    if df.empty:
        empty.show()
        return
    left, right = layout.pair("needs", [1, 1])
    with left:
        st.markdown(f"**{ctx.t(f'exit.wrong_chart_{level}')}**")
        if int(df["wrong_exits"].sum()):
            charts.show(wrong_exit_figure(df, level, ctx), "exit_wrong_chart", figure="exit.wrong")
        else:  # a chart of zero bars was its labels alone (a browser review)
            st.success(ctx.t("exit.wrong_none", exited=f"{int(df['exited'].sum()):,}"))
    with right:
        table.show("exit_wrong", df, ctx.t("what.exit_wrong" if level == "township" else "what.exit_wrong_village"),
                   column_config={"rate": st.column_config.ProgressColumn(
                       format="percent", min_value=0, max_value=max(0.1, float(df["rate"].max())))})
    if not int(df["wrong_exits"].sum()):  # said above: an empty list told the user to change the filter
        return
    st.markdown(f"**{ctx.t('exit.wrong_list')}**")
    query = qh.listing_query(ctx.flt, ctx.viewer, condition="wrong_exit")
    table.show_list("exit_wrong_list", data.page(query), ctx.t("what.exit_wrong_list"), query,
                    columns=WRONG_COLUMNS, height=320)


def main() -> None:
    ctx = current()
    header.show("exit.title")
    # without registered households the monitored ones still have their sections (a filter on
    # 边缘易致贫户 blanked the whole page)
    registered = status_section(ctx)
    if registered:
        year_section(ctx)
    popn = income_section(ctx)
    assurance_section(ctx, popn)
    figures.population_switch_end()  # the monitored and returned, the wrong exits: populations of their own
    monitoring_section(ctx)
    if registered:
        wrong_exit_section(ctx)


main()
