"""档案规范性 Archive quality: completeness score, data issues by area and rule, defect list, trend."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from etl import rules
from queries import quality as q
from queries.filters import area_level, township_order
from ui import by_place, charts, data, empty, figures, header, layout, table
from ui.context import PageContext, current
from ui.formats import shortened


def check_name(code: str, ctx: PageContext) -> str:
    return ctx.t(f"quality.check.{code}", days=rules.VISIT_WITHIN_DAYS)


def score_view(df: pd.DataFrame) -> pd.DataFrame:
    keys = [c for c in ("township", "village") if c in df.columns]
    # every household of the registry is checked (monitored and others too): 总户数, not the 户数 of the
    # registered households that the overview heads 户数 (179 here read against 170 there)
    return df[[*keys, "households", "required", "passed", "score"]].rename(
        columns={"households": "all_households", "required": "checks_required", "passed": "checks_passed",
                 "score": "completeness"})


def defect_texts(ctx: PageContext) -> dict[str, dict[str, str]]:
    """Value texts of the defect list (the same dicts label the page and the extract)."""
    from labels import LABELS

    rules = {k.removeprefix("rulename."): ctx.t(k) for k in LABELS if k.startswith("rulename.")}
    return {
        "defect_source": {"issue": ctx.t("insp.quality.source.issue"), "check": ctx.t("insp.quality.source.check")},
        "rule_name": {**rules, **{c: check_name(c, ctx) for c in q.CHECKS}},
        "field": {k.removeprefix("field."): ctx.t(k) for k in LABELS if k.startswith("field.")},
    }


def defect_view(defects: pd.DataFrame, texts: dict[str, dict[str, str]]) -> pd.DataFrame:
    """The defect list as shown: codes replaced by their texts (unknown codes as they are)."""
    def text(col: str, values: pd.Series) -> list[object]:
        return [texts[col].get(v, v) if isinstance(v, str) else v for v in values]

    return pd.DataFrame({
        "township": defects["township"], "village": defects["village"], "household_id": defects["household_id"],
        "defect_source": text("defect_source", defects["defect_source"]),
        "rule_name": text("rule_name", defects["rule"]), "field": text("field", defects["field"]),
        "raw_value": defects["raw_value"], "file_name": defects["file_name"],
        "line": defects["line"].astype("Int64"),
    })


def tiles_section(ctx: PageContext, towns: pd.DataFrame) -> None:
    counts = data.run(q.issue_counts, ctx)
    required, passed = int(towns["required"].sum()), int(towns["passed"].sum())
    k = figures.tile_slots(4, "quality")
    score = passed / required if required else None
    figures.metric(k[0], ctx, "quality.score", score, ctx.pct(score), label=ctx.t("insp.quality.kpi.score"))
    figures.metric(k[1], ctx, "archive_defects", counts["issues"], ctx.num(counts["issues"]),
                   label=ctx.t("insp.quality.kpi.issues"))
    figures.metric(k[2], ctx, "quality.households", counts["households"], ctx.num(counts["households"]),
                   label=ctx.t("insp.quality.kpi.households"))
    figures.metric(k[3], ctx, "quality.gaps", required - passed, ctx.num(required - passed),  # every failed check
                   label=ctx.t("insp.quality.kpi.gaps"))


def _rate_axis(spec: dict) -> None:
    spec["layout"]["xaxis"].update(tickformat=".0%", range=[0, 1.22], tickvals=charts.RATE_TICKS)  # room for "100.0%"


def completeness_section(ctx: PageContext, towns: pd.DataFrame) -> None:
    """Completeness by place and by check, then the places' tables."""
    villages = data.run(q.completeness, ctx, as_of=ctx.as_of, level="village")
    level = area_level(ctx.flt, ctx.viewer)  # one township: its villages, as every page's breakdown
    places = towns if level == "township" else villages  # worst first, as the query sorts them
    left, right = layout.pair("scores")
    with left:
        st.subheader(by_place.title("quality.completeness", level, ctx.lang))
        spec = charts.bar_spec(places, level, "score", orientation="h", text_format="{:.1%}",
                               x_title=ctx.t(f"field.{level}"), y_title=ctx.t("col.completeness"),
                               order=list(places[level])[::-1])  # the worst on top (Plotly draws the first at the bottom)
        _rate_axis(spec)
        charts.show(charts.unvalidated(charts.near_full(spec)), "quality_towns", figure="quality.score")
    with right:
        st.subheader(ctx.t("insp.quality.by_check"))
        rows = []
        for c in q.CHECKS:
            req, ok = int(towns[f"req_{c}"].sum()), int(towns[f"ok_{c}"].sum())
            rows.append({"check_name": check_name(c, ctx), "pass_rate": ok / req if req else None,
                         "checks_required": req, "checks_passed": ok})
        checks = pd.DataFrame(rows).dropna(subset=["pass_rate"])
        spec = charts.bar_spec(checks, "check_name", "pass_rate", orientation="h", text_format="{:.1%}",
                               x_title=ctx.t("col.check_name"), y_title=ctx.t("col.pass_rate"))
        _rate_axis(spec)
        charts.show(charts.unvalidated(charts.near_full(spec)), "quality_checks", figure="quality.by_area")
    progress = {"completeness": st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1)}
    if level == "township":  # one township's own row would repeat the tiles; its villages are charted
        table.show("quality_towns_tbl", score_view(towns), ctx.t("insp.what.completeness"), column_config=progress)
        st.subheader(ctx.t("insp.quality.by_village"))
    table.show("quality_villages_tbl", score_view(villages), ctx.t("insp.what.completeness_village"),
               column_config=progress)


def issues_section(ctx: PageContext) -> None:
    """Data issues by rule and by place."""
    by_rule = data.run(q.issues_by_rule, ctx)
    left, right = layout.pair("issues")
    with left:
        st.subheader(ctx.t("insp.quality.by_rule"))
        if by_rule.empty:
            st.caption(ctx.t("insp.profile.none"))
        else:
            br = by_rule.assign(rule_name=[ctx.t(f"rulename.{r}") for r in by_rule["rule"]])
            fig = charts.bar(br, "rule_name", "issues", orientation="h", x_title=ctx.t("col.rule_name"),
                             y_title=ctx.t("insp.quality.kpi.issues"))
            charts.show(fig, "quality_rules", figure="quality.by_area")
            table.show("quality_rules_tbl", br[["rule_name", "issues", "households_with_issues"]],
                       ctx.t("insp.what.issues_by_rule"))
    with right:
        st.subheader(ctx.t("insp.quality.by_area"))
        area = data.run(q.issues_by_area, ctx, level="village")
        table.show("quality_area_tbl", area.rename(columns={"households": "all_households"}),
                   ctx.t("insp.what.issues_by_area"))


def defects_section(ctx: PageContext, towns: pd.DataFrame) -> None:
    """The defect list, of every township in view or of one."""
    st.subheader(ctx.t("insp.quality.defects"))
    # every township in view at once (first, the default), or one to hand to its responsible person; in
    # the sidebar's order. It offered single townships only and opened on the first, so the county's list
    # was out of reach and a download named "乌加河镇" and "全旗" at once
    townships = [None, *township_order(towns["township"].dropna().unique())]
    town = st.selectbox(ctx.t("insp.quality.defects_township"), townships,
                        persist_state="session", key="quality_defects_town",
                        format_func=lambda v: ctx.t("insp.quality.all_townships") if v is None else v)
    query = q.defects_query(ctx.flt, ctx.viewer, ctx.as_of, town, ctx.data_as_of,
                            failed=(ctx.t("insp.quality.check_failed"), ctx.t("insp.quality.check_failed_of")),
                            visits_loaded=empty.loaded("visits"))
    found = data.page(query)
    if found.empty:  # households in view, none with a defect: the list's empty state said to change the filter
        st.success(ctx.t("find.no_defects"), icon=":material/check_circle:")
        return
    texts = defect_texts(ctx)
    # the pick narrows the filter the file names, as 致贫原因's household list does (it was named
    # 档案问题清单_海流图镇_全旗: the township and the whole banner at once)
    table.show_list("quality_defects", found, ctx.t("insp.what.defects"), query,
                    view=defect_view(found, texts), sources={"rule_name": "rule"}, mappings=texts,
                    follows=None if town is None else ctx.flt.with_(townships=(town,)))


def trend_section(ctx: PageContext) -> None:
    """Issues per load batch: the county's loads, not shown to a township viewer."""
    if ctx.viewer.townships is not None:  # the county's loads: a township viewer sees no batch's counts
        return
    st.subheader(ctx.t("insp.quality.trend"))
    trend = data.call(q.issue_trend, ctx.viewer)
    if trend.empty:
        st.caption(ctx.t("insp.quality.trend_none"))
        return
    tv = trend.copy()
    # the batch number and the start of its file name (whole names, slanted, took three times the
    # plot's height; the table below has them in full)
    tv["batch"] = [f"#{b} {shortened(str(f), 10)}" for b, f in zip(tv["batch_id"], tv["file_name"], strict=True)]
    fig = charts.line(tv, "batch", [("issues", ctx.t("insp.quality.kpi.issues"))], bars=["issues"],
                      x_title=ctx.t("insp.data.batch"), y_title=ctx.t("insp.quality.kpi.issues"))
    charts.show(fig, "quality_trend", figure="quality.trend")
    st.caption(ctx.t("insp.quality.trend_note", **{k: f"{v:,}" for k, v in data.call(q.issue_totals).items()}))
    table.show("quality_trend_tbl", trend, ctx.t("insp.what.trend"), unfiltered=True,  # every batch: not the filter's
               column_config={"issues_per_100": st.column_config.NumberColumn(format="%.2f")})  # 0.80 beside 0.09


def main() -> None:
    ctx = current()
    header.show("insp.page.quality")
    header.rules(ctx.t("insp.quality.rules", days=rules.VISIT_WITHIN_DAYS))
    towns = data.run(q.completeness, ctx, as_of=ctx.as_of, level="township")
    if towns.empty:
        empty.show()
        return
    if not empty.loaded("visits"):  # the visit check cannot be judged: not counted, and the page says so
        st.info(ctx.t("empty.no_visits_check", days=rules.VISIT_WITHIN_DAYS), icon=":material/upload_file:")
    tiles_section(ctx, towns)
    completeness_section(ctx, towns)
    issues_section(ctx)
    defects_section(ctx, towns)
    trend_section(ctx)


main()
