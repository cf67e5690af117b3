"""健康扶贫 Health support: ill households and members, insurance, family doctors, follow-ups, claims."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from etl import rules
from queries import health as q
from queries.filters import area_level
from queries.paging import total_of
from ui import by_place, charts, data, empty, extract, figures, formats, header, layout, table
from ui.context import PageContext, current
from ui.formats import joined, line_pct


def settings(ctx: PageContext) -> dict[str, object]:
    with st.sidebar.expander(ctx.t("insp.settings"), expanded=False):
        target = st.number_input(ctx.t("insp.health.target"), 0.0, 100.0, rules.OOP_TARGET * 100, step=1.0,
                                 persist_state="session", key="health_target") / 100
        mode = st.radio(ctx.t("insp.health.threshold_mode"), ("income", "fixed"),
                        format_func=lambda m: ctx.t(f"insp.health.mode.{m}"),
                        persist_state="session", key="health_mode")
        share = st.number_input(ctx.t("insp.health.share"), 1.0, 500.0, rules.RISK_INCOME_SHARE * 100, step=5.0,
                                persist_state="session", key="health_share", disabled=mode != "income") / 100
        fixed = st.number_input(ctx.t("insp.health.fixed"), 0.0, 1e7, 10000.0, step=1000.0,
                                persist_state="session", key="health_fixed",
                                disabled=mode != "fixed")
    return {"target": float(target), "share": float(share), "fixed": float(fixed) if mode == "fixed" else None}


def area_section(ctx: PageContext, ill: pd.DataFrame, level: str) -> None:
    """Ill households and insurance enrolment per township, or per village when the view is one township."""
    left, right = layout.pair("areas")
    with left:
        st.subheader(ctx.t(by_place.title_key("health.ill", level)))
        long = by_place.ill_series(ill, level, ctx.lang)
        if not long["n"].any():  # nothing to draw: a blank grid with a -1..1 axis said nothing
            st.success(ctx.t("insp.health.ill_none"))
        else:
            fig = charts.bar(long, level, "n", color="series", barmode="group", orientation="h",
                             x_title=ctx.t(f"field.{level}"), y_title=ctx.t("insp.axis.all_households"))
            charts.show(fig, "health_ill", figure="health.by_township")
    with right:
        st.subheader(ctx.t(f"insp.health.enrolment_{level}"))
        enr = data.run(q.enrolment_by_township, ctx, level=level)
        # a rate with no answer on record anywhere has no series: said under the chart, not drawn as an
        # empty slot in every group (a third of a 25-village chart was blank; a probe at county size)
        recorded = {c: bool(enr[rec].sum()) for c, rec in q.ENROLMENT_RECORDED.items()}
        drawn = [f"{c}_share" for c, on_record in recorded.items() if on_record]
        if drawn:
            long = enr.melt(id_vars=[level], value_vars=drawn, var_name="series", value_name="share")
            long["series"] = long["series"].map(lambda c: ctx.t(f"col.{c}"))
            # in the table's order, its first row on top (sorted by value, the chart and the table below it
            # listed the townships in two orders: a browser review)
            fig = charts.bar(long, level, "share", color="series", barmode="group", orientation="h",
                             order=list(enr[level])[::-1], text_format="{:.0%}", x_title=ctx.t(f"field.{level}"),
                             y_title=ctx.t("insp.axis.share"))
            fig.update_xaxes(tickformat=".0%", range=[0, 1.15])
            charts.show(fig, "health_enrolment", figure="health.by_township")
        unrecorded = [ctx.t(f"col.{c}_share") for c, on_record in recorded.items() if not on_record]
        if unrecorded and not enr.empty:
            st.caption(ctx.t("insp.health.unrecorded", items=joined(unrecorded, ctx.lang)))
    table.show("health_enrolment_tbl", enr,
               ctx.t("insp.what.enrolment" if level == "township" else "insp.what.enrolment_village"),
               column_config={c: st.column_config.NumberColumn(format="percent")
                              for c in ("medical_insured_share", "critical_insured_share", "doctor_signed_share")})


def _year_slug(ctx: PageContext, year: int | None) -> str | None:
    """The chosen claim year as a file name says it: the claims, risks and mismatches of one year said
    nothing of it (2020's read as every claim); None for every year."""
    return None if year is None else ctx.t("insp.health.year_slug", year=year)


def _of_year(ctx: PageContext, key: str, year: int | None) -> str:
    """An all-clear of the claims (`key`), of the chosen year when there is one (`<key>_year`): "all claims
    add up" under 2020 stood beside a 2019 claim that does not, listed for the same filter on 档案规范性."""
    return ctx.t(key) if year is None else ctx.t(f"{key}_year", year=year)


def claims_section(ctx: PageContext, claims: pd.DataFrame, level: str, target: float, places: list[str],
                   year: int | None) -> None:
    """Claims by payer and the out-of-pocket share against its target, per township or village; the
    places in view (`places`) with no claim are named under the charts (one was missing without a word).
    `year`: the chosen claim year (None: every year), which the file and an all-clear name. The claims
    without 入院日期, which are in no year, are counted (the year chosen left them out unsaid)."""
    st.subheader(ctx.t("insp.health.claims" if level == "township" else "insp.health.claims_village"))
    undated = data.run(q.undated_claims, ctx)
    if undated:
        st.caption(ctx.t("insp.health.claims_undated_all" if year is None else "insp.health.claims_undated_year",
                         n=undated))
    if empty.not_loaded("medical_claims"):
        return
    if claims.empty:
        # the whole county, every year, and still none: the ledger's rows are all outside the registry
        # ("没有医疗报销记录" beside a loaded claims file)
        outside = year is None and not undated and ctx.flt.is_empty() and ctx.viewer.townships is None
        st.caption(ctx.t("insp.health.claims_outside") if outside else _of_year(ctx, "insp.health.claims_none", year))
        return
    charted = set(claims[level])
    without = [p for p in places if p not in charted]
    payers = {"basic_insurance": "insp.series.basic", "critical_illness_insurance": "insp.series.critical",
              "medical_assistance": "insp.series.assistance", "other_support": "insp.series.other",
              "out_of_pocket": "insp.series.oop"}
    long = claims.melt(id_vars=[level], value_vars=list(payers), var_name="series", value_name="yuan")
    long["series"] = long["series"].map(lambda c: ctx.t(payers[c]))
    left, right = layout.pair("claims")
    with left:
        # each bar is written with its 总费用, as in the table below: the parts of a claim may not add up to it
        fig = charts.bar(long, level, "yuan", color="series", orientation="h",
                         x_title=ctx.t(f"field.{level}"), y_title=ctx.t("insp.axis.yuan"),
                         totals=dict(zip(claims[level], claims["total_cost"], strict=True)))
        charts.show(fig, "health_claims", figure="health.claims")
        off = claims[claims["parts_off_yuan"] > 0]
        if len(off):
            st.caption(ctx.t("insp.health.claims_off", places=joined(off[level], ctx.lang),
                             diff=f"{int(off['parts_off_yuan'].sum()):,}"))
        # claims without 个人自付 (an insurer's list): their bars fall short of the total, and the share is
        # over the claims with one, not over the 总费用 beside it (the table's row contradicted itself)
        no_oop = claims[claims["no_oop_claims"] > 0]
        if len(no_oop):
            st.caption(ctx.t("insp.health.claims_no_oop", places=joined(no_oop[level], ctx.lang),
                             n=int(no_oop["no_oop_claims"].sum())))
        # claims with an out of pocket and no total: their out of pocket is in the 个人自付 column but not in
        # the share, which only a claim's own total can put it against
        no_total = claims[claims["no_total_claims"] > 0]
        if len(no_total):
            st.caption(ctx.t("insp.health.claims_no_total", places=joined(no_total[level], ctx.lang),
                             n=int(no_total["no_total_claims"].sum())))
    with right:
        st.markdown("**" + ctx.t(f"insp.health.oop_{level}", target=line_pct(target)) + "**")
        fig = charts.bar(claims[[level, "oop_share"]], level, "oop_share", orientation="h", text_format="{:.1%}",
                         x_title=ctx.t(f"field.{level}"), y_title=ctx.t("col.oop_share"))
        fig.add_vline(x=target, line_dash="dash", line_color="#d62728", annotation_text=ctx.t("insp.series.target"),
                      annotation_position="top")  # above the plot: clear of the bars' labels
        # the target's line inside the axis even when every share is below it
        top = max(float(claims["oop_share"].max()) if claims["oop_share"].notna().any() else 0.0, target)
        fig.update_xaxes(tickformat=".0%", range=[0, top * 1.22])
        charts.show(fig, "health_oop_share", figure="health.oop_share")
    # whole yuan (the query's) with separators, as the chart writes them
    # the share's own cost and the claims left out of it, beside the 总费用, when they differ from it
    # (and the share's out of pocket, beside the 个人自付 column, when a claim without a total is left out)
    hidden = (["parts_off_yuan"] + ([] if claims["no_oop_claims"].any() else ["oop_cost", "no_oop_claims"])
              + ([] if claims["no_total_claims"].any() else ["oop_counted", "no_total_claims"]))
    view = claims.drop(columns=hidden).round({"oop_cost": 0, "oop_counted": 0}).rename(
        columns={"critical_illness_insurance": "critical_illness_insurance_paid"})
    config = {"oop_share": st.column_config.NumberColumn(format="percent")}
    config.update({c: st.column_config.NumberColumn(format="localized")
                   for c in ("total_cost", *payers, "critical_illness_insurance_paid", "oop_cost", "oop_counted")
                   if c in view.columns})
    table.show("health_claims_tbl", view, extract.narrowed(
        ctx.t("insp.what.claims" if level == "township" else "insp.what.claims_village"), ctx.lang,
        _year_slug(ctx, year)),
        column_config=config)
    if without:
        st.caption(ctx.t("insp.health.claims_without", places=joined(without, ctx.lang)))


def main() -> None:
    ctx = current()
    header.show("insp.page.health")
    cfg = settings(ctx)
    header.rules(ctx.t("insp.health.rules", min_fu=rules.MIN_FOLLOW_UPS, min_cu=rules.MIN_CHECK_UPS,
                       days=rules.MAX_DAYS_WITHOUT_FOLLOW_UP, target=line_pct(rules.OOP_TARGET)))  # its default
    level = area_level(ctx.flt, ctx.viewer)  # villages when the view is one township
    ill = data.run(q.ill_by_township, ctx, level=level)
    if ill.empty:
        empty.show()
        return
    members_query = q.ill_members_query(ctx.flt, ctx.viewer, ctx.as_of)
    members = data.page(members_query)
    comp = data.run(q.compliance, ctx, as_of=ctx.as_of)
    years = data.run(q.claim_years, ctx)
    options = [None, *years]
    year = st.selectbox(ctx.t("insp.health.year"), options,
                        format_func=lambda y: ctx.t("insp.health.all_years") if y is None else str(y),
                        index=options.index(q.opening_year(years, ctx.as_of)), persist_state="session",
                        key="health_year")
    claims = data.run(q.claims_by_township, ctx, year=year, level=level)
    risks_query = q.oop_risks_query(ctx.flt, ctx.viewer, year, cfg["share"], cfg["fixed"])
    risks = data.page(risks_query)
    oop_share = q.oop_share_total(claims)
    year_slug = _year_slug(ctx, year)

    k = figures.tile_slots(6, "health")
    n_ill, n_members = int(ill["ill_cause_households"].sum()), int(ill["ill_members"].sum())
    figures.metric(k[0], ctx, "health.ill_households", n_ill, ctx.num(n_ill),
                   label=ctx.t("insp.health.kpi.ill_households"))
    figures.metric(k[1], ctx, "health.ill_members", n_members, ctx.num(n_members),
                   label=ctx.t("insp.health.kpi.ill_members"))
    figures.metric(k[2], ctx, "health.chronic", int(comp["chronic"]), ctx.num(comp["chronic"]),
                   label=ctx.t("insp.health.kpi.chronic"))
    # follow-ups are visits: without a visit on record the share is unknown, not 0% (said under the tiles)
    visits, claimed = empty.loaded("visits"), empty.loaded("medical_claims")
    share = comp["compliant"] / comp["chronic"] if comp["chronic"] and visits else None
    figures.metric(k[3], ctx, "health.compliance", share, ctx.pct(share),  # a share fits a tile; counts in help
                   label=ctx.t("insp.health.kpi.compliant"),
                   extra=f"{int(comp['compliant']):,} / {int(comp['chronic']):,}" if visits else None)
    figures.metric(k[4], ctx, "health.oop_share", oop_share, ctx.pct(oop_share), label=ctx.t("insp.health.kpi.oop_share"),
                   delta=None if oop_share is None else formats.pp(oop_share - cfg["target"], ctx.lang),
                   delta_color="inverse", delta_arrow="off",  # the sign says it: "↓ -2.9" read twice
                   # with a difference only: under a "—" it qualified nothing
                   delta_description=None if oop_share is None else ctx.t("fmt.against_target"))
    n_risks = total_of(risks) if claimed else None
    figures.metric(k[5], ctx, "health.risks", n_risks, ctx.num(n_risks), label=ctx.t("insp.health.kpi.risks"))
    empty.note_unknown([kind for kind, known in (("visits", visits), ("medical_claims", claimed)) if not known])

    area_section(ctx, ill, level)

    st.subheader(ctx.t("insp.health.members"))
    if members.empty:  # its households are there (the chart above): no member's 健康状况 says ill or disabled
        st.info(ctx.t("insp.health.members_none"))
    else:
        table.show_list("health_members", members, ctx.t("insp.what.ill_members"), members_query)
    st.subheader(ctx.t("insp.health.gaps"))
    gaps_query = q.follow_up_gaps_query(ctx.flt, ctx.viewer, ctx.as_of)
    gaps = data.page(gaps_query)
    if not comp["chronic"]:  # "every chronic patient is in compliance" of none
        st.info(ctx.t("insp.health.no_chronic"))
    elif gaps.empty:
        st.success(ctx.t("insp.health.gaps_none"))
    elif not empty.not_loaded("visits"):  # else every chronic patient would be listed as not followed up
        table.show_list("health_gaps", gaps, ctx.t("insp.what.gaps"), gaps_query, columns=q.GAP_COLUMNS)

    claims_section(ctx, claims, level, cfg["target"], [str(p) for p in ill[level]], year)
    if not claimed:  # said in the claims section: no all-clear of risks or sums
        return

    st.subheader(ctx.t("insp.health.risks"))
    if risks.empty:
        st.success(_of_year(ctx, "insp.health.risks_none", year))
    else:
        table.show_list("health_risks", risks, extract.narrowed(ctx.t("insp.what.risks"), ctx.lang, year_slug),
                        risks_query, column_config={"oop_income_ratio": st.column_config.NumberColumn(format="percent")})
    if cfg["fixed"] is None:  # a household without an income has no line as a share of it: said, not dropped
        unjudged = data.run(q.risks_without_income, ctx, year=year)
        if unjudged:
            st.caption(ctx.t("insp.health.risks_no_income", n=unjudged))
    st.subheader(ctx.t("insp.health.mismatch"))
    mism = data.run(q.claim_mismatches, ctx, year=year)
    if mism.empty:
        st.success(_of_year(ctx, "insp.health.mismatch_none", year))
    else:
        table.show("health_mismatch", mism.rename(
            columns={"critical_illness_insurance": "critical_illness_insurance_paid"}),
            extract.narrowed(ctx.t("insp.what.mismatch"), ctx.lang, year_slug))


main()
