"""致贫原因 Poverty causes: main cause overall / by township / by village (counts and shares), other
causes alongside the main cause, cause x household attribute, cause x members' health and labour, and
the households behind any bar (click a bar or pick below)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from etl.codes import CODE_ORDER, NOT_FILLED
from queries import causes as q
from queries import households as qh
from queries.filters import area_level
from queries.population import MONITORED, REGISTERED
from ui import by_place, charts, data, empty, figures, header, layout, table
from ui.context import PageContext, current
from ui.formats import share_label

_COUNT = {REGISTERED: "households", MONITORED: "monitored"}  # the named figure a cause table adds up to
_PICK_CAUSE = "causes_pick_cause"
_PICK_TOWN = "causes_pick_town"
_ALL = "__all__"
LIST_COLUMNS = ["township", "village", "household_id", "head_name", "head_id_number", "member_count",
                "household_attribute", "main_cause", "other_causes", "exit_status", "income_per_capita",
                "categories"]


def _cause_order(ctx: PageContext) -> list[str]:
    return [ctx.code(c) for c in CODE_ORDER["main_cause"]]


def _on_totals_select() -> None:
    picked = charts.selected("causes_totals_chart", "customdata")
    if picked:
        st.session_state[_PICK_CAUSE] = picked[0]
        st.session_state[_PICK_TOWN] = _ALL


def _on_township_select() -> None:
    pts = charts.selected("causes_township_chart", "customdata")
    towns = charts.selected("causes_township_chart", "category")
    if pts:
        st.session_state[_PICK_CAUSE] = pts[0]
    if towns:
        st.session_state[_PICK_TOWN] = towns[0]


def totals_section(ctx: PageContext, popn: str) -> pd.DataFrame:
    st.subheader(ctx.t("causes.totals"))
    df = data.run(q.totals, ctx, population=popn)
    if df.empty:
        empty.show_population(popn)
        return df
    plot = df.assign(label=df["main_cause"].map(ctx.code))
    # never a false 0% (3 households of 600 read "3（0%）") or 100%
    texts = {c: ctx.t("chart.count_share", n=f"{int(v):,}", share=share_label(s, 1))
             for c, v, s in zip(plot["label"], plot["households"], plot["share"], strict=True)}
    fig = charts.bar(plot.assign(color=plot["label"]), "label", "households", color="color", orientation="h",
                     x_title=ctx.t("causes.axis_cause"), y_title=ctx.t("col.households"), customdata="main_cause",
                     show_totals=False, texts=texts)
    fig.update_traces(textposition="outside", selector={"type": "bar"})
    fig.update_layout(showlegend=False)
    left, right = layout.pair("causes", [3, 2])
    with left:
        charts.show(fig, "causes_totals_chart", on_select=_on_totals_select, figure="causes.totals")
    with right:
        table.show("causes_totals", df, ctx.t("what.causes"), column_config={
            "share": st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1)})
    figures.record(_COUNT[popn], int(df["households"].sum()))  # every cause table adds up to its population
    if popn == REGISTERED:
        figures.record("people", int(df["people"].sum()))
    return df


def area_section(ctx: PageContext, popn: str) -> None:
    """Causes per township, or per village when the view is one township."""
    level = area_level(ctx.flt, ctx.viewer)
    st.subheader(ctx.t(by_place.title_key("causes", level)))
    df = data.run(q.by_area, ctx, level=level, population=popn)
    mode = st.segmented_control(ctx.t("common.count_mode"), ["counts", "shares"],
                                persist_state="session", key="causes_mode",
                                format_func=lambda m: ctx.t(f"common.{m}"), default="counts", required=True)
    value = "share" if mode == "shares" else "households"
    plot = df.assign(label=df["main_cause"].map(ctx.code))
    orientation = charts.orientation_for(df[level])  # a township's many villages: a name a line
    fig = charts.bar(plot, level, value, color="label", orientation=orientation, color_order=_cause_order(ctx),
                     x_title=ctx.t(f"field.{level}"),
                     y_title=ctx.t("col.share" if value == "share" else "col.households"),
                     text_format="{:.0%}" if value == "share" else "{:,.0f}", customdata="main_cause",
                     show_totals=value != "share", height=420 if orientation == "v" else None)
    charts.show(fig, "causes_township_chart", on_select=_on_township_select if level == "township" else None,
                figure="causes.by_area")
    table.show("causes_by_township", df, ctx.t("what.causes_township" if level == "township" else "what.causes_mix_village"), column_config={
        "share": st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1)}, height=260)
    figures.record(_COUNT[popn], int(df["households"].sum()))


def village_section(ctx: PageContext, popn: str) -> None:
    st.subheader(ctx.t("causes.by_village"))
    df = data.run(q.by_area, ctx, level="village", population=popn)
    if df.empty:
        empty.show()
        return
    wide = df.pivot_table(index=["township", "village"], columns="main_cause", values="households",
                          aggfunc="sum", fill_value=0)
    order = [c for c in CODE_ORDER["main_cause"] if c in wide.columns]
    # 未填写 is a column of its own, last, so that a village's 户数 is its households of the population (the
    # overview's 13 read 12 here, the household without a cause dropped) and never its top cause
    unfilled = [NOT_FILLED] if NOT_FILLED in wide.columns else []
    wide = wide[order + unfilled]
    wide.insert(0, "households", wide.sum(axis=1))
    known = wide[order]
    wide.insert(1, "top_cause", known.idxmax(axis=1).where(known.sum(axis=1) > 0) if order else None)
    order += unfilled
    wide = wide.reset_index().sort_values(["households", "township", "village"], ascending=[False, True, True])
    wide.columns = [ctx.code(c) if c in order else c for c in wide.columns]
    table.show("causes_by_village", wide, ctx.t("what.causes_village"), column_config={
        "households": st.column_config.ProgressColumn(format="localized", min_value=0,
                                                      max_value=int(wide["households"].max() or 1))},
        height=320)
    figures.record(_COUNT[popn], int(df["households"].sum()))


def cooccurrence_section(ctx: PageContext, popn: str) -> None:
    st.subheader(ctx.t("causes.cooccurrence"))
    df = data.run(q.cooccurrence, ctx, population=popn)
    if df.empty:  # its households are there (the sections above): what is missing is the column's values
        st.info(ctx.t("causes.no_other_causes", population=ctx.t(f"population.{popn}")))
        return
    wide = df.pivot_table(index="main_cause", columns="other_cause", values="households", aggfunc="sum",
                          fill_value=0)
    rows = [c for c in CODE_ORDER["main_cause"] if c in wide.index][::-1]
    cols = [c for c in CODE_ORDER["main_cause"] if c in wide.columns] + \
        [c for c in wide.columns if c not in CODE_ORDER["main_cause"]]
    wide = wide.loc[rows, cols]
    fig = charts.unvalidated(go.Heatmap(
        z=wide.values, x=[ctx.code(c) for c in cols], y=[ctx.code(r) for r in rows], text=wide.values,
        texttemplate="%{text}", colorscale="Reds", showscale=False, xgap=2, ygap=2,
        hovertemplate="%{y} + %{x}: %{z}<extra></extra>"))
    fig.update_xaxes(title_text=ctx.t("causes.axis_other"), type="category",
                     **charts.every_category([ctx.code(c) for c in cols]))
    fig.update_yaxes(title_text=ctx.t("causes.axis_cause"), type="category",
                     **charts.every_category([ctx.code(r) for r in rows]))
    charts.show(charts.style(fig, max(260, 40 * len(rows) + 120), legend=False), "causes_cooc_chart", figure="causes.cooccurrence")
    table.show("causes_cooc", df, ctx.t("what.causes_cooccurrence"), height=200)


def cross_section(ctx: PageContext, title: str, df: pd.DataFrame, dim: str, value: str, key: str, what: str,
                  order: list[str], figure: str, field: str | None = None, note: str | None = None) -> None:
    """Causes × one dimension (`dim`; `field`: the registry field it holds, when `dim` is the generic
    `value`): a stacked bar per cause and the table in the chart's order (the largest cause first).
    `note`: a label key said under the title (what the bars count, where that is not plain)."""
    st.markdown(f"**{ctx.t(title)}**")
    if note:
        st.caption(ctx.t(note))
    if df.empty:
        empty.show()
        return
    plot = df.assign(cause=df["main_cause"].map(ctx.code), dimv=df[dim].map(ctx.code))
    fig = charts.bar(plot, "cause", value, color="dimv", orientation="h",
                     color_order=[ctx.code(v) for v in order], x_title=ctx.t("causes.axis_cause"),
                     y_title=ctx.t(f"col.{value}"), height=360)
    charts.show(fig, f"{key}_chart", figure=figure)
    rank = {v: i for i, v in enumerate(order)}
    view = df.assign(_total=-df.groupby("main_cause")[value].transform("sum"), _dim=df[dim].map(rank).fillna(len(rank)))
    view = view.sort_values(["_total", "main_cause", "_dim"], kind="stable").drop(columns=["_total", "_dim"])
    table.show(key, view.rename(columns={dim: field}) if field else view, ctx.t(what), height=200)


def households_section(ctx: PageContext, totals: pd.DataFrame, popn: str) -> None:
    st.subheader(ctx.t("causes.households"))
    st.caption(ctx.t("common.pick_hint"))
    causes = list(totals["main_cause"])
    in_view = sorted({t for t in data.run(q.by_area, ctx, level="township", population=popn)["township"]})
    # one township in view (the sidebar's): named, not "全部" beside the sidebar's 海流图镇 (a browser review)
    towns = in_view if len(in_view) == 1 else [_ALL, *in_view]
    if st.session_state.get(_PICK_CAUSE) not in causes:
        st.session_state[_PICK_CAUSE] = causes[0]
    if st.session_state.get(_PICK_TOWN) not in towns:
        st.session_state[_PICK_TOWN] = _ALL
    c1, c2 = st.columns(2)
    cause = c1.selectbox(ctx.t("causes.pick_cause"), causes,
                         persist_state="session", key=_PICK_CAUSE, format_func=ctx.code)
    town = c2.selectbox(ctx.t("causes.pick_township"), towns, persist_state="session", key=_PICK_TOWN,
                        format_func=lambda v: ctx.t("common.all") if v == _ALL else v)
    township = None if town == _ALL else town
    query = qh.listing_query(ctx.flt, ctx.viewer, condition=popn, main_cause=cause, township=township)
    # the picks narrow the sidebar's filter: its files name that scope, each part once (a cause picked
    # here and in the sidebar was named twice, a township picked here not at all)
    scope = ctx.flt.with_(main_causes=(cause,), **({"townships": (township,)} if township else {}))
    table.show_list("causes_households", data.page(query), ctx.t("what.causes_households"), query,
                    columns=LIST_COLUMNS, height=300, follows=scope)


def main() -> None:
    ctx = current()
    header.show("causes.title")
    popn = figures.population_switch(ctx, "causes_population")
    totals = totals_section(ctx, popn)
    if totals.empty:
        return
    area_section(ctx, popn)
    village_section(ctx, popn)
    households_section(ctx, totals, popn)
    cooccurrence_section(ctx, popn)
    left, right = layout.pair("members")
    with left:
        cross_section(ctx, "causes.by_attribute", data.run(q.by_attribute, ctx, population=popn),
                      "household_attribute", "households", "causes_attr", "what.causes_attribute",
                      [*CODE_ORDER["household_attribute"], "未填写"], "causes.by_attribute")
    with right:
        cross_section(ctx, "causes.by_health", data.run(q.by_member, ctx, dimension="health", population=popn),
                      "value", "member_conditions", "causes_health", "what.causes_health",
                      [*CODE_ORDER["health"], "未填写"], "causes.by_member", field="health",
                      note="causes.by_health_note")
    cross_section(ctx, "causes.by_labor", data.run(q.by_member, ctx, dimension="labor_skill", population=popn),
                  "value", "members", "causes_labor", "what.causes_labor", [*CODE_ORDER["labor_skill"], "未填写"],
                  "causes.by_member", field="labor_skill")


main()
