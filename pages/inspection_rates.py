"""三率一度 Exit-inspection veto indicators: the four figures against their lines, by township and village
(failing first), the households behind them, and the registry's data-rule signals kept apart."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import streamlit as st

from etl.inspection_rules import AT_LINE, DEFAULT_LINES, INDICATORS, Lines, verdict
from etl.rules import MIN_SAMPLE
from queries import households as qh
from queries import inspection_plan as qp
from queries import inspection_rates as q
from queries.filters import area_level
from ui import charts, check_form, data, empty, extract, header, layout, table
from ui import figures as tiles_ui
from ui.context import PageContext, current
from ui.formats import joined, line_pct, pct_beside

RATE_COLUMNS = [f"{i}_rate" for i in INDICATORS]
# the verdict beside its place, the rates after it: a leader reads it first, and after the four rates it
# was off the right edge of the English table at 1280 px (a browser review)
PLACE_COLUMNS = ["verdict", *RATE_COLUMNS, "small_sample", "checked_households", "wrong_exit_people",
                 "exited_sample_people", "missed_people", "nonreg_sample_people", "approved", "answered",
                 "rural_population", "registered_people", "rates_from"]
CASE_COLUMNS = ["township", "village", "check_date", "household_id", "head_name", "id_number", "household_type",
                "counted_as", "exit_status", "people", "income_per_capita", "failed_items", "finding", "approval",
                "surveyor", "notes"]
PLAN_COLUMNS = ["village_draw", "township", "village", "inclusion", "certain", "group", "draw", "household_id",
                "head_name", "head_id_number", "member_count", "income_per_capita"]
SIGNAL_COLUMNS = ["township", "village", "household_id", "head_name", "head_id_number", "member_count",
                  "exit_status", "monitoring_type", "income_per_capita", "income_year", "poverty_line", "reasons",
                  "helper_name"]


@dataclass(frozen=True)
class Settings:
    date_from: date | None
    date_to: date | None
    base_year: int | None
    lines: Lines
    # the settings that differ from the default, as the files of the figures name them (a period compared
    # with another downloaded under the same name)
    named: tuple[str, ...] = ()

    def query(self) -> dict[str, object]:
        return {"date_from": self.date_from, "date_to": self.date_to, "base_year": self.base_year,
                "lines": self.lines}


def settings(ctx: PageContext) -> Settings:
    """Period, population base year and veto lines (sidebar)."""
    period = data.run(q.default_period, ctx)
    years = data.run(q.base_years, ctx)
    with st.sidebar.expander(ctx.t("rates.settings"), expanded=False):
        start = st.date_input(ctx.t("rates.period_from"), value=period[0] if period else None,
                              persist_state="session", key="rates_from")
        end = st.date_input(ctx.t("rates.period_to"), value=period[1] if period else None,
                            persist_state="session", key="rates_to")
        base_year = st.selectbox(ctx.t("rates.base_year"), [None, *years],
                                 persist_state="session", key="rates_base_year",
                                 format_func=lambda y: ctx.t("rates.latest_year") if y is None else str(y))
        values = {ind: st.number_input(ctx.t(f"rates.line_input.{ind}"), 0.0, 100.0,
                                       getattr(DEFAULT_LINES, ind) * 100, step=0.5,
                                       persist_state="session", key=f"rates_line_{ind}") / 100
                  for ind in INDICATORS}
    if start is not None and end is not None and start > end:  # typed the other way round
        start, end = end, start
    lines = Lines(**{k: float(v) for k, v in values.items()})
    named = []
    if (start, end) != (period or (None, None)):
        named.append(ctx.t("rates.slug.period", start=start or "", end=end or ""))
    if base_year is not None:
        named.append(ctx.t("rates.slug.base_year", year=base_year))
    if lines != DEFAULT_LINES:
        named.append(ctx.t("rates.slug.lines"))
    return Settings(start, end, base_year, lines, tuple(named))


def pct_cells(values: pd.Series, digits: int = 2) -> list[str]:
    """Rates as the tables show and download them: 12.50%, blank when there is no figure (a grid shows
    a missing number as "None")."""
    return [f"{float(v):.{digits}%}" if v is not None and not pd.isna(v) else "" for v in values]


def rate_cell(value: object, ind: str, line: float) -> str:
    """A `pct_cells` cell of a figure judged against its line: a rate over it never reads as the line (9 错退
    of 449 people, 2.004%, was 2.00% beside 不达标: formats.pct_beside)."""
    return "" if value is None or pd.isna(value) else pct_beside(value, line, above_fails=ind != "approval", digits=2)


def line_text(ctx: PageContext, ind: str, lines: Lines) -> str:
    key = "rates.line.ge" if ind == "approval" else "rates.line.le"
    return ctx.t(key, line=line_pct(getattr(lines, ind)))


def gap_text(ctx: PageContext, ind: str, value: float | None, lines: Lines) -> str:
    """The line and how far the figure is from it: 否决线 ≤ 2%，高于线7.1个百分点."""
    line = line_text(ctx, ind, lines)
    if value is None or pd.isna(value):
        return line
    diff = (float(value) - getattr(lines, ind)) * 100
    if abs(diff) <= AT_LINE * 100:  # at the line, as the verdict judges it
        return ctx.t("rates.gap.at", line=line)
    # one decimal, as the tiles; a gap under 0.05 points with two (not "0.0" beside 不达标)
    v = f"{abs(diff):.1f}" if abs(diff) >= 0.05 else f"{max(abs(diff), 0.01):.2f}"
    return ctx.t("rates.gap.above" if diff > 0 else "rates.gap.below", line=line, v=v)


_BADGE = {"no_figure": "gray", "pass": "green", "pass_unconfirmed": "orange", "fail": "red"}


def verdict_badge(ctx: PageContext, passes: bool | None, unsure: bool = False) -> str:
    code = verdict(passes, unsure)
    return f":{_BADGE[code]}-badge[{ctx.t(f'rates.{code}')}]"


def figures_section(ctx: PageContext, figures: pd.DataFrame, lines: Lines, area_only: bool) -> None:
    """The four figures, each a tile coloured by its verdict: value, line, interval and sample."""
    tiles = tiles_ui.tile_slots(4, "rates")
    for tile, (_, f) in zip(tiles, figures.iterrows(), strict=True):
        ind = f["indicator"]
        value = f["value"]
        with tile.container(border=True):
            shown = pct_beside(value, getattr(lines, ind), above_fails=ind != "approval")  # never the line when over it
            tiles_ui.metric(st, ctx, f"rates.{ind}", value, shown, label=ctx.t(f"rates.ind.{ind}"),
                           extra=line_text(ctx, ind, lines), border=False)
            st.markdown(f"{verdict_badge(ctx, f['passes'], f['unconfirmed'])} {gap_text(ctx, ind, value, lines)}")
            if f["lo"] is not None and not pd.isna(f["lo"]):
                st.caption(ctx.t("rates.interval", lo=ctx.pct(f["lo"]), hi=ctx.pct(f["hi"])))
            if f["unconfirmed"]:
                st.caption(":orange[" + ctx.t("rates.unconfirmed_note") + "]")
            st.caption(sample_text(ctx, f, area_only))
            if f["borrowed"] and area_only:
                st.caption(borrowed_text(ctx, f["borrowed"]))
            if f["small"] and value is not None and not pd.isna(value):  # no caveat on a figure not shown
                st.caption(":orange[" + small_text(ctx, ind, f["small_parts"]) + "]")


def small_text(ctx: PageContext, ind: str, parts: list[tuple[str, float]]) -> str:
    """Why a figure is indicative only: which rate's sample is under the minimum, and its size (the
    incidence tile's own sample counts both rates' people, so "171 people" and "too few" must say which)."""
    unit = "households" if ind == "approval" else "people"
    minimum = ctx.t(f"rates.small.{unit}", n=MIN_SAMPLE)
    if ind != "incidence" or not parts:
        return ctx.t("rates.small", min=minimum)
    named = joined((ctx.t("rates.small.part", rate=ctx.t(f"rates.ind.{p}"), n=f"{n:,.0f}") for p, n in parts),
                   ctx.lang)
    return ctx.t("rates.small.incidence", parts=named, min=minimum)


def borrowed_text(ctx: PageContext, parts: list[tuple[str, str, float, float]]) -> str:
    """Whose rates the incidence used where the place surveyed no household of a group: its tile quoted
    only its own sample (0 households) beside a figure from the county's (a probe)."""
    named = joined((ctx.t("rates.sample.borrowed_part", source=ctx.t(f"rates.brief.borrowed.{src}"),
                          rate=ctx.t(f"rates.ind.{p}"), value=ctx.pct(v), n=f"{n:,.0f}") for p, src, v, n in parts),
                   ctx.lang)
    return ctx.t("rates.sample.borrowed", parts=named)


def sample_text(ctx: PageContext, f: pd.Series, area_only: bool) -> str:
    """What a figure's tile counts from. The incidence, a figure of places, is not computed under a
    household filter: its tile of "—" quoted a rural population all the same (a probe)."""
    def n(x: object) -> str:
        return "–" if x is None or pd.isna(x) else f"{float(x):,.0f}"

    if f["indicator"] == "incidence":
        if not area_only:
            key = "rates.sample.incidence_filtered"
        elif pd.isna(f["denominator"]):  # no population base: "乡村人口–人" read as a number
            key = "rates.sample.incidence_no_base"
        else:
            key = "rates.sample.incidence"
        return ctx.t(key, den=n(f["denominator"]), households=n(f["sample_households"]), people=n(f["sample_people"]))
    if pd.isna(f["denominator"]) or not f["denominator"]:  # "依据：0 / 0人（0户）" beside a tile of "—"
        return ctx.t("rates.sample.none")
    if f["indicator"] == "approval":
        return ctx.t("rates.sample.approval", num=n(f["numerator"]), den=n(f["denominator"]))
    return ctx.t("rates.sample.people", num=n(f["numerator"]), den=n(f["denominator"]),
                 households=n(f["sample_households"]))


def place_view(ctx: PageContext, df: pd.DataFrame, keys: list[str], lines: Lines) -> pd.DataFrame:
    """A place table as shown and downloaded: the verdict, the four rates, the samples."""
    def names(inds: list[str]) -> str:
        return joined((ctx.t(f"rates.ind.{i}") for i in inds), ctx.lang)

    def verdict_of(failed: list[str], unsure: list[str], r: pd.Series) -> str:
        if failed:
            return ctx.t("rates.fail_items", items=names(failed))
        if unsure:  # the orange bars' places: not a plain 达标 (all four named in one word: the column cuts)
            return (ctx.t("rates.unconfirmed_all") if len(unsure) == len(INDICATORS)
                    else ctx.t("rates.unconfirmed_items", items=names(unsure)))
        return ctx.t("rates.pass") if any(r[f"{i}_pass"] is not None for i in INDICATORS) else ctx.t("rates.no_figure")

    verdicts = [verdict_of(f, u, r) for f, u, (_, r) in zip(df["failed"], q.unconfirmed_figures(df, lines),
                                                            df.iterrows(), strict=True)]
    # a place without a checked household has rates borrowed from its township or the whole area: its
    # verdict is theirs, which a bare 达标 beside 核查户数 0 did not say
    verdicts = [ctx.t("rates.verdict_borrowed", verdict=v) if not checked and v != ctx.t("rates.no_figure") else v
                for v, checked in zip(verdicts, df["checked_households"].fillna(0), strict=True)]
    small = [names(inds) for inds in q.small_figures(df)]
    source = [ctx.t(f"rates.source.{s}") if "/" not in s else
              "/".join(ctx.t(f"rates.source.{x}") for x in s.split("/")) for s in df["incidence_rates_from"]]
    view = df.assign(verdict=verdicts, small_sample=small, rates_from=source,
                     **{f"{i}_rate": [rate_cell(v, i, getattr(lines, i)) for v in df[f"{i}_rate"]]
                        for i in INDICATORS})
    return view[[*keys, *PLACE_COLUMNS]]


def rate_charts(ctx: PageContext, df: pd.DataFrame, level: str, lines: Lines) -> None:
    """One chart per figure with a value somewhere: the rate per place (`level`) against its line."""
    title = "rates.chart" if level == "township" else "rates.chart_village"
    charts_row = layout.pair(f"rates-{level}")
    for i, ind in enumerate(INDICATORS):
        if df[f"{ind}_rate"].notna().any():
            with charts_row[i % 2]:
                fig = charts.rate_bars(df, level, f"{ind}_rate", f"{ind}_lo", f"{ind}_hi", f"{ind}_pass",
                                       getattr(lines, ind), line_label=line_text(ctx, ind, lines),
                                       x_title=ctx.t(f"rates.ind.{ind}"), y_title=ctx.t(f"field.{level}"))
                fig.update_layout(title={"text": ctx.t(title, ind=ctx.t(f"rates.ind.{ind}")), "x": 0})
                charts.show(fig, f"rates_chart_{ind}", figure="rates.by_place")
    if any(q.unconfirmed_figures(df, lines)):
        st.caption(ctx.t("rates.chart_colours"))


def places_section(ctx: PageContext, cfg: Settings, by_level: dict[str, pd.DataFrame]) -> None:
    """The figures per township and per village; the charts by township, or by village when the view is
    one township (its one bar per chart would say no more than the tiles)."""
    level = area_level(ctx.flt, ctx.viewer)
    towns = by_level["township"]
    st.subheader(ctx.t("rates.by_township"))
    if level == "township":
        rate_charts(ctx, towns, level, cfg.lines)
    table.show("rates_townships", place_view(ctx, towns, ["township"], cfg.lines),
               extract.narrowed(ctx.t("rates.what.townships"), ctx.lang, *cfg.named))
    st.caption(ctx.t("rates.borrowed"))
    st.subheader(ctx.t("rates.by_village"))
    villages = by_level["village"]
    if level == "village" and not villages.empty:
        rate_charts(ctx, villages, level, cfg.lines)
    table.show("rates_villages", place_view(ctx, villages, ["township", "village"], cfg.lines),
               extract.narrowed(ctx.t("rates.what.villages"), ctx.lang, *cfg.named))


def cases_section(ctx: PageContext, cfg: Settings) -> None:
    st.subheader(ctx.t("rates.cases"))
    found = {kind: data.run(q.cases, ctx, kind=kind, date_from=cfg.date_from, date_to=cfg.date_to)
             for kind in q.CASES}
    tabs = st.tabs([f"{ctx.t(f'rates.cases.{kind}')} ({len(df)})" for kind, df in found.items()])
    for tab, (kind, df) in zip(tabs, found.items(), strict=True):
        with tab:
            if df.empty:
                st.caption(ctx.t("rates.cases_none"))
                continue
            table.show(f"rates_cases_{kind}", df[CASE_COLUMNS], extract.narrowed(
                ctx.t("rates.what.cases", kind=ctx.t(f"rates.cases.{kind}")), ctx.lang, *cfg.named))


def signals_section(ctx: PageContext) -> None:
    st.divider()
    st.subheader(ctx.t("rates.signals"))
    st.caption(ctx.t("rates.signals_caption"))
    by_town = data.run(q.signals, ctx, level="township")
    table.show("rates_signals", by_town.assign(suspected_wrong_exit_share=pct_cells(by_town["suspected_wrong_exit_share"])),
               ctx.t("rates.what.signals"))
    for condition, kind in (("wrong_exit", "wrong_exit"), ("suspected_missed", "missed")):
        st.markdown(f"**{ctx.t(f'rates.signals.{kind}')}**")
        query = qh.listing_query(ctx.flt, ctx.viewer, condition=condition)
        found = data.page(query)
        if found.empty:
            st.caption(ctx.t("rates.signals_none"))
            continue
        table.show_list(f"rates_signal_{kind}", found, ctx.t("rates.what.signal_list", kind=ctx.t(f"rates.signals.{kind}")),
                        query, columns=SIGNAL_COLUMNS)


def plan_section(ctx: PageContext) -> None:
    """The self-check sample: settings, the seed on screen, the sample, its check form."""
    st.divider()
    st.subheader(ctx.t("rates.plan"))
    st.caption(ctx.t("rates.plan.caption"))
    default = qp.PlanSpec()
    # two rows: the draw (seed, villages, blank rows), then what each village gives (seven inputs in one
    # row wrapped their labels over two lines)
    c = [*st.columns(4), *st.columns(4)]
    spec = qp.PlanSpec(
        seed=int(c[0].number_input(ctx.t("rates.plan.seed"), 0, 2**31 - 1, default.seed,
                                   persist_state="session", key="plan_seed")),
        villages=int(c[1].number_input(ctx.t("rates.plan.villages"), 1, 500, default.villages,
                                       persist_state="session", key="plan_villages")),
        ordinary=int(c[2].number_input(ctx.t("rates.plan.ordinary"), 0, 100, default.ordinary,
                                       persist_state="session", key="plan_ordinary")),
        exited_share=float(c[4].number_input(ctx.t("rates.plan.exited_share"), 1, 100, int(default.exited_share * 100),
                                             persist_state="session", key="plan_share")) / 100,
        exited_cap=int(c[5].number_input(ctx.t("rates.plan.exited_cap"), 1, 200, default.exited_cap,
                                         persist_state="session", key="plan_exited_cap")),
        not_exited_cap=int(c[6].number_input(ctx.t("rates.plan.not_exited_cap"), 0, 200, default.not_exited_cap,
                                             persist_state="session", key="plan_cap")),
        edge_cap=int(c[7].number_input(ctx.t("rates.plan.edge_cap"), 0, 200, default.edge_cap,
                                       persist_state="session", key="plan_edge")),
    )
    st.markdown(ctx.t("rates.plan.seed_note", seed=spec.seed))
    sample = data.run(qp.plan, ctx, settings=spec)
    if sample.empty:
        st.caption(ctx.t("rates.plan.none"))
        return
    ordinary = int((sample["group"] == "一般农户").sum())
    st.caption(ctx.t("rates.plan.summary", villages=sample["village_draw"].nunique(), households=len(sample),
                     ordinary=ordinary))
    view = sample.assign(inclusion=pct_cells(sample["inclusion"]),
                         member_count=sample["member_count"].astype("Int64"))  # a blank row: no count
    # the sample is drawn from the area alone (qp.village_frame): its files name no more
    places = ctx.flt.area_only()
    table.show("rates_plan", view[PLAN_COLUMNS], ctx.t("rates.plan.what_list", seed=spec.seed), follows=places)
    scope = "、".join(ctx.flt.townships or ctx.viewer.townships or ()) or ctx.t("rates.plan.county")
    notes = [ctx.t("rates.plan.cover.title", scope=scope, seed=spec.seed),
             # the villages drawn: a township of 5 asked for 10 gives 5 ("抽取10个村" over 5 on the sheet)
             ctx.t("rates.plan.cover.settings", villages=sample["village_draw"].nunique(),
                   share=f"{spec.exited_share:.0%}", exited_cap=spec.exited_cap,
                   cap=spec.not_exited_cap, edge=spec.edge_cap, ordinary=spec.ordinary),
             ctx.t("rates.plan.cover.fill"), ctx.t("rates.plan.cover.names")]
    with_names, lang = ctx.viewer.pii, ctx.lang
    what = ctx.t("rates.plan.what", seed=spec.seed)
    extract.download(ctx.t("rates.plan.form"),
                     lambda: check_form.form_bytes(sample, notes, with_names=with_names, lang=lang),
                     what=what, fmt="xlsx", file_name=extract.file_name(
                         what, extract.scoped(places, ctx.viewer), ctx.as_of, "xlsx", ctx.lang),
                     rows=len(sample), mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     key="rates_plan_form", icon=":material/assignment:")


def main() -> None:
    ctx = current()
    header.show("rates.page")
    cfg = settings(ctx)
    header.rules(ctx.t("rates.rules", min=MIN_SAMPLE, **{i: line_pct(getattr(cfg.lines, i)) for i in INDICATORS}),
                 as_of=False)
    by_level = data.run(q.rates_by_level, ctx, **cfg.query())  # every level from one reading of the data
    if by_level["all"].empty:
        empty.show()
        return
    overall = by_level["all"].iloc[0]
    figures = q.figures_of(overall, cfg.lines)
    if not q.area_only(ctx.flt):
        st.info(ctx.t("rates.household_filter"), icon=":material/filter_alt:")
    if overall["checked_households"] == 0:
        st.warning(ctx.t("rates.no_checks"), icon=":material/fact_check:")
    figures_section(ctx, figures, cfg.lines, q.area_only(ctx.flt))
    if overall["villages_without_base"] and q.area_only(ctx.flt):
        st.caption(ctx.t("rates.no_base", villages=int(overall["villages_without_base"]),
                         people=f"{int(overall['registered_people_no_base']):,}"))
    if overall["villages_base_below_registered"] and q.area_only(ctx.flt):
        st.caption(":orange[" + ctx.t("rates.base_below", villages=int(overall["villages_base_below_registered"])) + "]")
    table.show("rates_figures", figures_view(ctx, figures),
               extract.narrowed(ctx.t("rates.what.figures"), ctx.lang, *cfg.named))
    places_section(ctx, cfg, by_level)
    cases_section(ctx, cfg)
    signals_section(ctx)
    plan_section(ctx)


def figures_view(ctx: PageContext, figures: pd.DataFrame) -> pd.DataFrame:
    """The four figures as a table (the tiles' download)."""
    verdicts = [ctx.t(f"rates.{verdict(p, u)}") for p, u in zip(figures["passes"], figures["unconfirmed"], strict=True)]
    people = figures["sample_people"].astype("Int64")
    # the incidence's numerator is an estimate of people (rates × populations): whole people, as the
    # briefing writes it (1,963.556 people read as a mistake)
    shown = [rate_cell(v, i, line) for v, i, line in zip(figures["value"], figures["indicator"], figures["line"],
                                                         strict=True)]
    return figures.assign(indicator=[ctx.t(f"rates.ind.{i}") for i in figures["indicator"]], verdict=verdicts,
                          numerator=figures["numerator"].round(0),
                          veto_line=[line_pct(v) for v in figures["line"]], figure=shown,
                          lo=pct_cells(figures["lo"]), hi=pct_cells(figures["hi"]), sample_people=people)[
        # the verdict and the line beside the figure: last, they were off the right edge at 1366 px in English
        ["indicator", "verdict", "figure", "veto_line", "lo", "hi", "numerator", "denominator", "sample_households",
         "sample_people", "small"]]


main()
