"""帮扶措施 Assistance: coverage by measure category and township, the 一户一策 gap (households with
no measure), amounts by category and year, industry projects with their linked households."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from etl.codes import CODE_ORDER, NOT_FILLED
from queries import assistance as q
from queries import households as qh
from queries.filters import area_level
from queries.paging import total_of
from queries.population import REGISTERED
from ui import charts, data, empty, figures, header, layout, table
from ui.context import PageContext, current
from ui.formats import joined, share_label

CAT_ORDER = CODE_ORDER["intervention_category"]
GAP_COLUMNS = ["township", "village", "household_id", "head_name", "head_id_number", "phone", "member_count",
               "household_attribute", "main_cause", "exit_status", "monitoring_type", "income_per_capita",
               "helper_name", "helper_unit"]


def coverage_section(ctx: PageContext) -> bool:
    """Coverage per township, or per village when the view is one township."""
    level = area_level(ctx.flt, ctx.viewer)
    st.subheader(ctx.t("assist.coverage" if level == "township" else "assist.coverage_village"))
    st.caption(ctx.t("assist.coverage_caption"))
    df = data.run(q.coverage, ctx, level=level)
    total = data.run(q.coverage_total, ctx)
    if df.empty:  # coverage counts registered households: a monitoring filter leaves none
        empty.show_population(REGISTERED, switch=False, hint=ctx.t("assist.monitored_below"))
        return False
    figures.record("households", int(total["households"].iloc[0]))  # the 户数 of the coverage table
    wide = df.pivot_table(index=level, columns="category", values="share", aggfunc="sum", fill_value=0)
    counts = df.pivot_table(index=level, columns="category", values="reached", aggfunc="sum", fill_value=0)
    # every category, reached or not: a category no household of the view has is the gap the page is
    # for (it disappeared from the chart under a filter), and an unreached cell reads 0%, not blank
    cats = list(CAT_ORDER) + [c for c in wide.columns if c not in CAT_ORDER]
    towns = list(df.groupby(level)["households"].first().sort_values().index)
    wide = wide.reindex(index=towns, columns=cats, fill_value=0)
    counts = counts.reindex(index=towns, columns=cats, fill_value=0)
    # the share in each cell, the households reached on hover: a heatmap's texttemplate knows only x, y,
    # z and text (custom data drew "-" under every share); 1 household of 250 reads <1%, not 0% (a category
    # that reached none reads 0%), 249 of 250 99%, not 100%
    share = [[share_label(float(s), 0) for s in rs] for rs in wide.values]
    fig = charts.unvalidated(go.Heatmap(
        z=wide.values, x=[ctx.code(c) for c in cats], y=towns, text=share, customdata=counts.values,
        texttemplate="%{text}",
        colorscale="Greens", zmin=0, zmax=1, xgap=2, ygap=2, colorbar=charts.COLORBAR_BELOW | {"tickformat": ".0%"},
        hovertemplate="%{y} · %{x}: %{z:.1%} (%{customdata})<extra></extra>"))
    fig.update_xaxes(title_text=ctx.t("col.category"), type="category", side="top",
                     **charts.every_category([ctx.code(c) for c in cats]))
    fig.update_yaxes(title_text=ctx.t(f"field.{level}"), type="category", **charts.every_category(towns))
    charts.show(charts.style(fig, max(300, 36 * len(towns) + 190), legend=False), "assist_coverage_chart", figure="assist.coverage")
    left, right = layout.pair("coverage", [2, 3])
    with left:
        st.markdown(f"**{ctx.t('assist.coverage_total')}**")
        table.show("assist_coverage_total", total, ctx.t("what.assist_coverage_total"), column_config={
            "share": st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1)})
    with right:
        # the heatmap's numbers in rows (its heading repeated the section's: a browser review)
        st.markdown(f"**{ctx.t('assist.coverage_rows' if level == 'township' else 'assist.coverage_rows_village')}**")
        table.show("assist_coverage", df, ctx.t("what.assist_coverage" if level == "township" else "what.assist_coverage_village"), column_config={
            "share": st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1)}, height=260)
    return True


def gap_section(ctx: PageContext) -> None:
    st.subheader(ctx.t("assist.gap"))
    query = qh.listing_query(ctx.flt, ctx.viewer, condition="no_intervention")
    gap = data.page(query)
    if gap.empty:
        st.success(ctx.t("assist.gap_none"), icon=":material/check_circle:")
    else:
        table.show_list("assist_gap", gap, ctx.t("what.assist_gap"), query, columns=GAP_COLUMNS, height=300)
    # monitored households outside the registry get measures too (防返贫监测帮扶), counted apart
    others_query = qh.listing_query(ctx.flt, ctx.viewer, condition="monitored_no_intervention")
    others = data.page(others_query)
    if not others.empty:
        with st.expander(ctx.t("assist.gap_monitored", n=total_of(others))):
            table.show_list("assist_gap_monitored", others, ctx.t("what.assist_gap_monitored"), others_query,
                            columns=GAP_COLUMNS, height=240)


def amounts_section(ctx: PageContext) -> None:
    st.subheader(ctx.t("assist.amounts"))
    df = data.run(q.amounts, ctx)
    if df.empty:
        empty.show()
        return
    # groups none of whose measures has a 金额 draw no bar: the legend would list a category with
    # nothing behind it, so they are left out of the chart (the table keeps them); the caption says how
    # many measures the amounts leave out and names the categories that have no bar at all
    drawn = df[df["amount_yuan"].notna()]
    left, right = layout.pair("projects", [3, 2])
    with left:
        if not drawn.empty:
            charts.show(_amounts_chart(ctx, drawn), "assist_amounts_chart", figure="assist.amounts")
        unpriced = int(df["measures"].sum() - df["measures_priced"].sum())
        absent = set(df["category"]) - set(drawn["category"])
        cats = joined([ctx.code(c) for c in CAT_ORDER if c in absent]
                      + sorted(ctx.code(c) for c in absent - set(CAT_ORDER)), ctx.lang)
        if drawn.empty:
            st.caption(ctx.t("assist.amounts_none_written", n=unpriced, categories=cats))
        elif unpriced:
            st.caption(ctx.t("assist.amounts_unpriced", n=unpriced)
                       + (ctx.t("assist.amounts_unpriced_categories", categories=cats) if absent else ""))
    with right:
        table.show("assist_amounts", df, ctx.t("what.assist_amounts"), height=360)


def _amounts_chart(ctx: PageContext, df: pd.DataFrame) -> go.Figure:
    """Stacked bars of the amounts by year, a colour per category."""
    # a measure without 实施年度 or 开始日期 has no year: its bar is 未填写, after the years (sorting the
    # years with a missing one beside them stopped the page: float < str)
    years = [str(int(y)) for y in sorted(df["year"].dropna().unique())]
    unfilled = [ctx.code(NOT_FILLED)] if df["year"].isna().any() else []
    plot = df.assign(year=[ctx.code(NOT_FILLED) if pd.isna(y) else str(int(y)) for y in df["year"]],
                     label=df["category"].map(ctx.code))
    return charts.bar(plot, "year", "amount_yuan", color="label", order=years + unfilled,
                      color_order=[ctx.code(c) for c in CAT_ORDER], x_title=ctx.t("assist.axis_year"),
                      y_title=ctx.t("assist.axis_amount"), height=400, segment_text=False)


def projects_section(ctx: PageContext) -> None:
    st.subheader(ctx.t("assist.projects"))
    df = data.run(q.projects, ctx)
    if df.empty:
        st.info(ctx.t("assist.no_projects"))
        return
    table.show("assist_projects", df, ctx.t("what.assist_projects"), column_config={
        "households": st.column_config.ProgressColumn(format="localized", min_value=0,
                                                      max_value=int(df["households"].max() or 1))})
    projects = list(df["project"])
    if st.session_state.get("assist_project") not in projects:
        st.session_state["assist_project"] = projects[0]
    project = st.selectbox(ctx.t("assist.project_pick"), projects,
                           persist_state="session", key="assist_project")
    query = q.project_households_query(ctx.flt, ctx.viewer, project)
    households = int(df.loc[df["project"] == project, "households"].iloc[0])  # the table's 户数
    table.show_list("assist_project_households", data.page(query),
                    ctx.t("what.assist_project_households") + f"_{project}", query,
                    caption="assist.project_list", caption_params={"households": households})


def main() -> None:
    ctx = current()
    header.show("assist.title")
    if data.page(qh.listing_query(ctx.flt, ctx.viewer), 1).empty:
        empty.show()
        return
    if empty.not_loaded("interventions"):  # without the ledger every household would be a 一户一策 gap
        return
    coverage_section(ctx)
    gap_section(ctx)
    amounts_section(ctx)
    projects_section(ctx)


main()
