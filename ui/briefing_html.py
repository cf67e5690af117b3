"""Township briefing (督查简报): one self-contained, printable HTML file for the filtered area.

`build(con, flt, viewer, *, lang, as_of, data_as_of, top=20) -> str` assembles the headline figures,
the 三率一度 section (the four veto figures of the place against their default lines, its worst
villages, and one written finding per failing figure: `veto_section`), the key chart of every page (causes, exit status, assistance, rectification, health, archive quality),
the visit list and the open rectification items (the `top` first of each) from the query layer, every
figure counted in SQL (no full list fetched to count it), and renders them with
`render(brief)`. No Streamlit here; Plotly's JS is embedded (ui.profile_html.document), every text is
escaped.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pandas as pd

from etl import rules
from etl.codes import CODE_ORDER, NOT_FILLED
from etl.history import ledgers_with_rows
from etl.inspection_rules import DEFAULT_LINES, INDICATORS, verdict
from etl.rules import MIN_SAMPLE, VISIT_WITHIN_DAYS
from labels import code_label, t
from queries import assistance, causes, exits, figures, overview
from queries import health as qhealth
from queries import history as qhistory
from queries import inspection_rates as qrates
from queries import quality as qquality
from queries import rectification as qrect
from queries import visits as qvisits
from queries.filters import Filters, Viewer, area_level
from ui import by_place, charts, formats
from ui.empty_text import no_household_text
from ui.filter_text import filter_text
from ui.formats import joined, plain_dates
from ui.profile_html import document, esc, spec_div, table_html
from ui.since_figures import (
    TILES,
    base_text,
    beyond_townships,
    default_since,
    tile_text,
    trend_frame,
    trend_series,
    unknown,
)


@dataclass
class Brief:
    title: str
    scope: str
    kpis: list[tuple[str, str, str | None]] = field(default_factory=list)  # (label, number, its unit)
    figures: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # charts.bar_spec dicts
    tables: list[tuple[str, pd.DataFrame]] = field(default_factory=list)
    lang: str = "zh"
    veto: Veto | None = None
    findings: list[tuple[str, str]] = field(default_factory=list)  # (sentence, title of the figure it cites)
    since: list[tuple[str, str, str | None]] = field(default_factory=list)  # (label, number, its unit)
    since_note: str = ""
    since_base: str = ""
    since_title: str = ""  # states the date the changes are counted from
    since_loads: int = 0  # loads in the figure history: one has nothing to compare (no "since" finding)
    trend: list[dict[str, Any]] = field(default_factory=list)  # charts.trend_grids, drawn as a `.pair`
    appendix: pd.DataFrame | None = None


@dataclass
class Veto:
    """The 三率一度 section: written findings, the four figures, the worst villages."""

    findings: list[str]
    figures: pd.DataFrame
    villages: pd.DataFrame


def render(brief: Brief) -> str:
    lang = brief.lang
    parts = [f"<h1>{esc(brief.title)}</h1>", f'<p class="meta">{esc(brief.scope)}</p>',
             f"<h2>{esc(t('insp.brief.headline', lang))}</h2>", '<div class="kpis">']
    for label, value, unit in brief.kpis:  # a number with its unit, as the page's tiles write it
        parts.append(f'<div class="kpi"><div class="v">{esc(formats.with_unit(value, unit, lang))}</div>'
                     f'<div class="l">{esc(label)}</div></div>')
    parts.append("</div>")
    if brief.findings:
        parts.append(f'<h2 id="findings">{esc(t("brief.findings", lang))}</h2><ol>')
        parts += [f"<li>{esc(text)}{esc(t('brief.ref', lang, fig=ref))}</li>" for text, ref in brief.findings]
        parts.append("</ol>")
    if brief.since:
        parts.append(f'<h2 id="since">{esc(brief.since_title)}</h2><p class="meta">{esc(brief.since_note)}</p>'
                     '<div class="kpis">')
        for label, value, unit in brief.since:
            parts.append(f'<div class="kpi"><div class="v">{esc(formats.with_unit(value, unit, lang))}</div>'
                         f'<div class="l">{esc(label)}</div></div>')
        parts.append("</div>")
        if brief.trend:
            name = t("since.trend", lang)
            parts.append(f"<h3>{esc(name)}</h3><div class=\"pair\">"
                         + "".join(spec_div(spec, name) for spec in brief.trend) + "</div>")
    if brief.veto is not None:
        parts.append(f"<h2>{esc(t('rates.brief.title', lang))}</h2><ul>")
        parts += [f"<li>{esc(line)}</li>" for line in brief.veto.findings]
        parts.append("</ul>")
        if not brief.veto.figures.empty:
            parts.append(table_html(brief.veto.figures, lang))
        if not brief.veto.villages.empty:
            parts.append(f"<h3>{esc(t('rates.brief.villages', lang, n=len(brief.veto.villages)))}</h3>"
                         f"{table_html(brief.veto.villages, lang)}")
    if brief.figures:
        parts.append(f"<h2>{esc(t('insp.brief.charts', lang))}</h2>")
        # each chart as tall as ui.charts makes it (a row a place, room for its legend): a height of its
        # own here, capped at 700 px, squeezed a township's 30 villages until Plotly dropped every other name
        for title, spec in brief.figures:
            parts.append(f"<h3>{esc(title)}</h3>{spec_div(spec, title)}")
    for title, df in brief.tables:
        df = plain_dates(df)
        parts.append(f"<h2>{esc(title)}</h2>{table_html(df, lang)}")
    if brief.appendix is not None:
        parts.append(f'<h2 id="appendix">{esc(t("brief.appendix", lang))}</h2>{table_html(brief.appendix, lang)}')
    return document(brief.title, "".join(parts), lang)


def area_name(flt: Filters, lang: str, viewer: Viewer | None = None) -> str:
    """The area a briefing covers: the chosen villages or townships, else the viewer's townships, else
    the whole banner. Villages of one chosen township are named with it (海流图镇新华村): a village is
    chosen by its name, which two townships can share, and a briefing titled 新华村 did not say whose."""
    if flt.villages:
        villages = "、".join(flt.villages)
        if len(flt.townships) == 1:
            return f"{flt.townships[0]}{villages}" if lang == "zh" else f"{villages}, {flt.townships[0]}"
        return villages
    if flt.townships:
        return "、".join(flt.townships)
    if viewer is not None and viewer.townships is not None:
        return "、".join(viewer.townships)
    return t("insp.brief.banner", lang)


def scope_text(flt: Filters, lang: str, viewer: Viewer | None = None) -> str:
    """The area and the other filters, as the page and the briefing both name what it covers:
    `呼勒斯太苏木（致贫原因：因学）`; a year range with whom it leaves out, as under each page's title (a
    printed briefing of 脱贫年度 2015–2020 read 脱贫率 100% with nothing saying 未脱贫户 were left out)."""
    area, chosen = area_name(flt, lang, viewer), filter_text(flt, lang, notes=True)
    return f"{area}（{chosen}）" if chosen and lang == "zh" else f"{area} ({chosen})" if chosen else area


def listed_rows(html_text: str) -> int:
    """Rows of the briefing's tables (visit list, open items): what the extract log counts."""
    return sum(body.count("<tr>") for body in re.findall(r"<tbody>(.*?)</tbody>", html_text, flags=re.S))


def _codes(df: pd.DataFrame, col: str, lang: str) -> pd.DataFrame:
    """`col`'s code values as labels of `lang`; the frame itself, not a copy, when they are the labels
    already (the stored codes are the Chinese labels)."""
    codes = df[col].tolist()
    labels = [code_label(v, lang) for v in codes]
    return df if labels == codes else df.assign(**{col: labels})


def rank_text(values: pd.Series, mine: object, lang: str) -> str:
    """A place's rank among `values` (larger is better): 第 3 位, or 并列第 1 位 when others share it."""
    rank = int((values > mine).sum()) + 1
    return t("find.rank_tied" if int((values == mine).sum()) > 1 else "find.rank_at", lang, rank=rank)


def some(names: pd.Series, lang: str, most: int = 3) -> str:
    """Up to `most` names, and 等 N 个 when there are more."""
    shown = joined(names.head(most), lang)
    return shown if len(names) <= most else t("find.and_more", lang, names=shown, n=len(names))


def _pct(x: object) -> str:
    return "" if x is None or pd.isna(x) else formats.share_label(float(x), 1)  # never a false 100% or 0%


def _pct_beside(x: object, ind: str, line: float) -> str:
    """`_pct` of a figure judged against `line`: one over it never reads as the line (formats.pct_beside)."""
    return "" if x is None or pd.isna(x) else formats.pct_beside(x, line, above_fails=ind != "approval")


def veto_section(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, lang: str, villages: int = 5
                 ) -> Veto:
    """The four figures of the place (the period of its latest check, default lines), one sentence per
    failing figure with its sample and worst village, and its `villages` worst villages."""
    period = qrates.default_period(con, flt, viewer)
    kw = {"date_from": period[0], "date_to": period[1]} if period else {}
    levels = qrates.rates_by_level(con, flt, viewer, levels=("all", "village"), **kw)
    all_rows = levels["all"]
    if all_rows.empty:
        return Veto([t("rates.brief.no_checks", lang)], pd.DataFrame(), pd.DataFrame())
    row = all_rows.iloc[0]
    figs = qrates.figures_of(row, DEFAULT_LINES)
    checked = int(row["checked_households"])
    # A place without a checked household has the incidence the 三率一度 page shows it, from the rates of
    # its township or the whole area (`rates_from`): the briefing said there was nothing to compute beside
    # the page's figure and verdict (a probe, 2026-12-06). Only where that has no figure either is it so.
    if checked == 0 and all(p is None for p in figs["passes"]):
        return Veto([t("rates.brief.no_checks", lang)], pd.DataFrame(), pd.DataFrame())
    by_village = levels["village"]
    findings: list[str] = []
    if checked == 0:
        # whose rates (`incidence_rates_from`: township, all, or one of each; none for a group without people)
        lenders = [x for x in str(row["incidence_rates_from"]).split("/") if x in ("township", "all")] or ["all"]
        source = joined(dict.fromkeys(t(f"rates.brief.borrowed.{x}", lang) for x in lenders), lang)
        findings.append(t("rates.brief.no_checks_borrowed", lang, source=source))
    indicative: list[str] = []  # figures within their lines on a small sample: never a plain 达标
    for _, f in figs.iterrows():
        said = {"ind": t(f"rates.ind.{f['indicator']}", lang), "value": _pct_beside(f["value"], f["indicator"], f["line"]),
                "line": formats.line_pct(f["line"]),
                "cmp": "≥" if f["indicator"] == "approval" else "≤",
                "sample": t("rates.brief.sample", lang, num=f"{f['numerator']:,.0f}", den=f"{f['denominator']:,.0f}")
                if f["passes"] is not None else ""}
        if f["passes"] is True and f["small"]:
            key = "passes_small_incidence" if f["indicator"] == "incidence" else "passes_small"  # its inputs'
            indicative.append(t(f"rates.brief.{key}", lang, min=MIN_SAMPLE, **said))
        elif f["unconfirmed"]:  # a full sample whose interval still holds the line: no plain 达标 either
            indicative.append(t("rates.brief.passes_unconfirmed", lang, lo=_pct(f["lo"]), hi=_pct(f["hi"]), **said))
        if f["passes"] is not False:
            continue
        ind = f["indicator"]
        worst = by_village[by_village["failed"].map(lambda x, ind=ind: ind in x)]
        # the worst village of those with a full sample; a village's figure from a few people (100% of one
        # surveyed person) is named only when no other fails, and marked (a probe: 99.7% from 5 people)
        small = worst[f"{ind}_small"].astype(bool)
        worst = worst[~small] if (~small).any() else worst
        worst = worst.sort_values(f"{ind}_rate", ascending=ind == "approval")
        worst = worst[worst[f"{ind}_rate"] == worst[f"{ind}_rate"].iloc[0]] if len(worst) else worst  # ties
        where = "" if worst.empty else t("rates.brief.worst_small" if small.all() else "rates.brief.worst", lang,
                                         village=some(worst["village"], lang),
                                         value=_pct_beside(worst.iloc[0][f"{ind}_rate"], ind, f["line"]))
        findings.append(t(f"rates.brief.fails.{'ge' if ind == 'approval' else 'le'}", lang, **said)
                        + (t("rates.brief.small", lang, min=MIN_SAMPLE) if f["small"] else "") + where)
    # "四项指标均达到否决线要求" only when all four have a figure within its line on a full sample; a
    # figure without a sample was counted as passing, and two of four 无数据 read as all passed
    # under a household filter the incidence (a figure of places) is not computed: said so, not "no sample"
    computed = qrates.area_only(flt)
    unknown = [t(f"rates.ind.{i}", lang) for i, p in zip(figs["indicator"], figs["passes"], strict=True)
               if p is None and (computed or i != "incidence")]
    findings += indicative
    if not computed:
        findings.append(t("rates.household_filter", lang))
    if unknown:
        findings.append(t("rates.brief.no_figure", lang, inds=joined(unknown, lang)))
    plain = sum(1 for p, small, unsure in zip(figs["passes"], figs["small"], figs["unconfirmed"], strict=True)
                if p is True and not small and not unsure)
    if plain == len(figs):
        findings.append(t("rates.brief.all_pass", lang))
    elif plain and findings:
        findings.append(t("rates.brief.others_pass", lang))
    if int(row["villages_without_base"]) and computed:  # left out of the incidence, as the page says
        findings.append(t("rates.no_base", lang, villages=int(row["villages_without_base"]),
                          people=f"{int(row['registered_people_no_base']):,}"))
    if period and checked:  # the period chosen, and the days the checks of it were made
        dates = qrates.check_period(con, flt, viewer, *period).iloc[0]
        findings.append(t("rates.brief.period", lang, start=period[0].isoformat(), end=period[1].isoformat(),
                          households=f"{int(row['checked_households']):,}",
                          first=pd.Timestamp(dates["first"]).date().isoformat(),
                          last=pd.Timestamp(dates["last"]).date().isoformat()))
    table = pd.DataFrame({
        "indicator": [t(f"rates.ind.{i}", lang) for i in figs["indicator"]],
        "figure": [_pct_beside(v, i, line) for v, i, line in zip(figs["value"], figs["indicator"], figs["line"],
                                                                   strict=True)],
        "interval": [f"{_pct(lo)}–{_pct(hi)}" if pd.notna(lo) else "" for lo, hi in zip(figs["lo"], figs["hi"],
                                                                                          strict=True)],
        "veto_line": [("≥ " if i == "approval" else "≤ ") + formats.line_pct(v) for i, v in zip(figs["indicator"], figs["line"],
                                                                                  strict=True)],
        "verdict": [t(f"rates.{verdict(p, unsure, small)}", lang)
                    for p, small, unsure in zip(figs["passes"], figs["small"], figs["unconfirmed"], strict=True)],
    })
    failing = by_village[by_village["fails"] > 0].head(villages)
    worst_villages = pd.DataFrame({
        "township": failing["township"], "village": failing["village"],
        **{f"{i}_rate": [_pct_beside(v, i, getattr(DEFAULT_LINES, i)) for v in failing[f"{i}_rate"]]
           for i in INDICATORS},
        "failed": [joined((t(f"rates.ind.{i}", lang) for i in f), lang) for f in failing["failed"]],
        "small_sample": [joined((t(f"rates.ind.{i}", lang) for i in inds), lang)  # the page's column
                         for inds in qrates.small_figures(failing)],
    })
    return Veto(findings, table, worst_villages)


# The dictionary entries of the briefing's figures (its appendix), in the order they appear
APPENDIX = ("households", "people", "exited", "not_exited", "returned", "monitored", "coverage", "rect_open",
            "rect_overdue", "rect_on_time_rate", "health.compliance", "quality.score", "archive_defects", "causes.by_area", "exit.status",
            "exit.wrong",
            "assist.coverage", "since.exited", "since.monitored", "since.returned", "since.opened", "since.closed")


def appendix(lang: str) -> pd.DataFrame:
    d = figures.frame(lang, list(APPENDIX)).drop(columns=["key", *figures.TECHNICAL])  # for leaders
    return d.rename(columns={c: t(f"dict.{c}", lang) for c in d.columns})


def since_section(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, brief: Brief, as_of: dt.date,
                  since: dt.date | None = None) -> None:
    """Since `since` (the date picked on the briefing page; by default the overview's, the load before
    the last one): net changes and the trend, under a heading that states the date."""
    lang = brief.lang
    hist = qhistory.history(con, flt, viewer)
    since = since or default_since(hist)
    if since is None:
        return
    ch = qhistory.changes(con, flt, viewer, since, as_of, hist)
    brief.since_title = t("brief.since_date_towns" if beyond_townships(flt) else "brief.since_date", lang,
                          date=since.isoformat())
    brief.since_base = base_text(ch["base_as_of"])
    brief.since_loads = len(hist)
    brief.since_note = t("since.one", lang) if len(hist) < 2 else \
        t("since.base", lang, base=brief.since_base, loads=ch["loads"]) + (t("since.unknown", lang) if unknown(ch) else "")
    brief.since = [(f.text("name", lang), tile_text(key, ch[key]), f.unit)
                   for key, f in ((k, figures.entry(f"since.{k}")) for k in TILES)]
    if len(hist) > 1:
        brief.trend = [fig.to_plotly_json() for fig in charts.trend_grids(
            trend_frame(hist), "as_of", trend_series(lambda k: t(k, lang)), height=420)]


def exit_findings(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, lang: str, k: pd.Series
                  ) -> list[tuple[str, str]]:
    """The exits and the suspected wrong exits, with the places in view over the allowed share (by
    village when the view is one township, as the exit page's table)."""
    exited = int(k["exited"])
    if not exited:
        return []
    limit = formats.line_pct(rules.WRONG_EXIT_LIMIT)
    ref = figures.entry("exit.wrong").text("name", lang)
    out = [(t("find.exits", lang, exited=f"{exited:,}", rate=_pct(k["exit_rate"]), wrong=f"{int(k['wrong_exits']):,}",
              wrong_rate=_pct_beside(int(k["wrong_exits"]) / exited, "wrong_exit", rules.WRONG_EXIT_LIMIT),
              limit=limit), ref)]
    level = area_level(flt, viewer)
    over = exits.wrong_exits(con, flt, viewer, level)
    over = over[over["over_limit"].fillna(False).astype(bool)]  # worst first, as the query sorts them
    if not over.empty:
        places = pd.Series([t("find.place_rate", lang, place=p, rate=_pct_beside(r, "wrong_exit", rules.WRONG_EXIT_LIMIT))
                            for p, r in zip(over[level], over["rate"], strict=True)])
        out.append((t("find.exits_over", lang, limit=limit, places=some(places, lang, most=5)), ref))
    return out


def overdue_findings(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, lang: str, as_of: dt.date
                     ) -> list[tuple[str, str]]:
    """The overdue items per responsible unit (three named, and how many more), or that none is overdue;
    counted in SQL (not the whole open ledger fetched: 59 ms at L)."""
    units = qrect.by_dimension(con, flt, viewer, as_of, "responsible_unit")
    units = units[units["overdue"] > 0].sort_values(["overdue", "responsible_unit"], ascending=[False, True],
                                                    kind="mergesort")
    if units.empty:
        return [(t("find.no_overdue", lang), t("insp.brief.kpi.overdue", lang))]
    named = joined((t("find.unit_items", lang, unit=t("find.no_unit", lang) if u == NOT_FILLED else u, n=n)
                    for u, n in zip(units["responsible_unit"].head(3), units["overdue"].head(3), strict=True)), lang)
    return [(t("find.overdue", lang, n=int(units["overdue"].sum()), units=named if len(units) <= 3
              else t("find.more_units", lang, units=named, n=len(units))), t("insp.brief.kpi.overdue", lang))]


def rank_findings(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, lang: str) -> list[str]:
    """The place's rank on the headline's exit rate and measure coverage, under the same non-area filters:
    a township's among the townships (a briefing of one township), a village's among its township's
    villages (a briefing of one village). Not a township's in a village's briefing, whose headline figures
    are the village's: "红山镇脱贫率 70.0%（见：主要指标）" stood beside 东沟村's 85.7% (a probe)."""
    if len(flt.townships) == 1 and not flt.villages:
        places = overview.by_area(con, flt.with_(townships=(), villages=()), viewer, "township")
        level, name, key, town = "township", flt.townships[0], "find.rank", ""
    elif len(flt.villages) == 1:
        places = overview.by_area(con, flt.with_(villages=()), viewer, "village")
        towns = places.loc[places["village"] == flt.villages[0], "township"].unique()
        if len(towns) != 1:  # a name that villages of two townships in view share: the briefing is of both
            return []
        places = places[places["township"] == towns[0]]
        level, name, key, town = "village", flt.villages[0], "find.rank_village", str(towns[0])
    else:
        return []
    # rates of registered households: a place with none under the filters (its monitored households only)
    # has no rate to give nor to rank by ("红山镇脱贫率 ，在 3 个乡镇中居第 1 位", a probe)
    places = places[places["households"] > 0]
    me = places[places[level] == name]
    if me.empty or len(places) < 2:
        return []
    r = me.iloc[0]
    return [t(key, lang, area=name, town=town, rate=_pct(r["exit_rate"]), n=len(places),
              rank=rank_text(places["exit_rate"], r["exit_rate"], lang), cov=_pct(r["coverage"]),
              cov_rank=rank_text(places["coverage"], r["coverage"], lang))]


def _no_households(con: duckdb.DuckDBPyConnection, flt: Filters, lang: str) -> str:
    """Why a briefing has no household: the filters, or (none set) a database without one, whose
    registry rows were all rejected or never loaded (as the pages say it)."""
    return (no_household_text(con, lang) if flt.is_empty() else None) or t("find.no_households", lang)


def findings(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, lang: str, as_of: dt.date,
             k: pd.Series, comp: dict[str, int], no_measure: int, brief: Brief) -> list[tuple[str, str]]:
    """督查发现: short sentences by rule, each citing the figure of this briefing it comes from. A ledger
    that holds no row gives no finding but one saying so: "3 户没有任何帮扶措施记录", "没有逾期未完成的整改事项"
    and "随访合规 0 人" were said of a county whose ledgers were not loaded yet."""
    out: list[tuple[str, str]] = []
    kpi = t("insp.brief.headline", lang)
    known = ledgers_with_rows(con)
    missing = [kind for kind in ("interventions", "rectifications", "visits") if kind not in known]
    if missing:
        out.append((t("empty.figures_not_loaded", lang, kinds=joined((t(f"kind.{x}", lang) for x in missing),
                                                                    lang)), kpi))
    if "visits" in missing:  # the score has a figure, of the other checks: said, as the quality page says it
        out.append((t("empty.no_visits_check", lang, days=VISIT_WITHIN_DAYS), t("insp.brief.kpi.completeness", lang)))
    if not int(k["all_households"]):  # nothing matches: "all measured, nothing overdue" read as good news
        # but the township- and village-level items of the area are still in its tiles and item list: an
        # overdue one is said (the finding was left out beside a tile of 1 overdue item; a probe)
        return [(_no_households(con, flt, lang), kpi),
                *(overdue_findings(con, flt, viewer, lang, as_of) if int(k["rect_overdue"]) else [])]
    out += [(s, kpi) for s in rank_findings(con, flt, viewer, lang)]
    out += exit_findings(con, flt, viewer, lang, k)
    whole = not (flt.townships or flt.villages)  # the briefing is of the whole county
    mine = causes.totals(con, flt, viewer)
    county = mine if whole else causes.totals(con, flt.with_(townships=(), villages=()), viewer)
    written = mine[mine["main_cause"] != NOT_FILLED] if not mine.empty else mine
    cause_ref = by_place.title("causes", area_level(flt, viewer), lang)
    # the leading cause, or the causes tied for it; 未填写 is no cause. Not under a cause filter: it read
    # "因病占 100.0%（全旗 100.0%）", the filter's own choice given back as a finding
    if not written.empty and not flt.main_causes:
        lead = written[written["households"] == written["households"].max()]
        shares = dict(zip(county["main_cause"], county["share"], strict=True))
        # beside the county's share only when the briefing is of a part of it ("24.2%（全县 24.2%）")
        part = ".whole" if whole else ""
        out.append((t(("find.cause" if len(lead) == 1 else "find.causes_tied") + part, lang,
                      cause=joined((code_label(c, lang) for c in lead["main_cause"]), lang),
                      share=_pct(lead.iloc[0]["share"]),
                      county=joined((_pct(shares[c]) if c in shares else "—" for c in lead["main_cause"]), lang)),
                    cause_ref))
    unfilled = mine.loc[mine["main_cause"] == NOT_FILLED, "households"] if not mine.empty else pd.Series(dtype=int)
    if len(unfilled) and int(unfilled.iloc[0]):
        out.append((t("find.cause_unfilled", lang, n=f"{int(unfilled.iloc[0]):,}"), cause_ref))
    # with none registered, "every registered household has a measure" says nothing
    if int(k["households"]) and "interventions" in known:
        out.append((t("find.no_measure", lang, n=f"{no_measure:,}") if no_measure else t("find.all_measured", lang),
                    t("insp.brief.kpi.no_measure", lang)))
    if "rectifications" in known:
        out += overdue_findings(con, flt, viewer, lang, as_of)
    done = {"on_time": int(k["rect_on_time"]), "late": int(k["rect_late"])}
    if done["late"]:  # fixed, but not on time: what an inspection asks beside what is still open
        out.append((t("find.late", lang, late=f"{done['late']:,}", timed=f"{done['on_time'] + done['late']:,}",
                      rate=_pct(qrect.on_time_rate(done))), t("insp.brief.kpi.on_time", lang)))
    if comp["chronic"] and "visits" in known:
        out.append((t("find.compliance", lang, chronic=f"{comp['chronic']:,}", compliant=f"{comp['compliant']:,}",
                      rate=_pct(comp["compliant"] / comp["chronic"])), t("insp.brief.kpi.compliance", lang)))
    rules = qquality.issues_by_rule(con, flt, viewer)
    if rules.empty:
        out.append((t("find.no_defects", lang), t("insp.brief.kpi.issues", lang)))
    else:
        kinds = joined((f"{t(f'rulename.{r}', lang)} {n}"
                        for r, n in zip(rules["rule"].head(3), rules["issues"].head(3), strict=True)), lang)
        out.append((t("find.defects", lang, n=f"{int(k['archive_defects']):,}", kinds=kinds),
                    t("insp.brief.kpi.issues", lang)))
    # the changes are township totals (figure history): as a finding beside filtered figures they read
    # "+37 监测对象" against 14 in view; under a village or household filter they stay in their own
    # section, whose note says what they count
    if brief.since and brief.since_loads > 1 and flt.with_(townships=()).is_empty():
        v = {label: formats.with_unit(value, unit, lang) for label, value, unit in brief.since}
        names = [figures.entry(f"since.{x}").text("name", lang) for x in ("exited", "monitored", "returned", "opened",
                                                                              "closed")]
        out.append((t("find.since", lang, base=brief.since_base,
                      exited=v[names[0]], monitored=v[names[1]], returned=v[names[2]], opened=v[names[3]],
                      closed=v[names[4]]), brief.since_title))
    return out


def build(con: duckdb.DuckDBPyConnection, flt: Filters, viewer: Viewer, *, lang: str, as_of: dt.date,
          data_as_of: dt.date, top: int = 20, since: dt.date | None = None) -> str:
    area = area_name(flt, lang, viewer)
    scope = scope_text(flt, lang, viewer)
    brief = Brief(
        title=t("insp.brief.title", lang, area=area),
        scope=t("insp.brief.scope", lang, scope=scope, data_as_of=data_as_of.isoformat(), as_of=as_of.isoformat()),
        lang=lang,
    )
    k = overview.kpis(con, flt, viewer, as_of).iloc[0]
    comp = qhealth.compliance(con, flt, viewer, as_of)  # counted in SQL, no member list fetched
    towns = qquality.completeness(con, flt, viewer, as_of, level="township")
    required, passed = int(towns["required"].sum()), int(towns["passed"].sum())
    no_measure = int(k["no_measure"])  # registered households without a measure, counted (not from a rounded rate)
    unit = {key: figures.entry(key).unit for key in ("households", "people", "health.chronic", "rect_open",
                                                       "archive_defects")}
    known = ledgers_with_rows(con)  # a ledger without a row: its tiles read "—" (a finding says why), not 0

    def of(kind: str, text: str, of_none: bool = False) -> str:
        """`text`, or "—" when `kind` holds no row or (`of_none`) the figure is a count out of none: "0 / 0项"
        closed on time of no closed item, "0 / 0人" followed up of no chronic patient."""
        return text if kind in known and not of_none else "—"
    brief.kpis = [
        (t("insp.brief.kpi.registered", lang), f"{int(k['households']):,}", unit["households"]),
        (t("insp.brief.kpi.people", lang), f"{int(k['people']):,}", unit["people"]),
        (t("insp.brief.kpi.exited", lang), f"{int(k['exited']):,}", unit["households"]),
        (t("insp.brief.kpi.not_exited", lang), f"{int(k['not_exited']):,}", unit["households"]),
        (t("insp.brief.kpi.returned", lang), f"{int(k['returned']):,}", unit["households"]),
        (t("insp.brief.kpi.wrong_exits", lang), f"{int(k['wrong_exits']):,}", unit["households"]),
        (t("insp.brief.kpi.monitored", lang), f"{int(k['monitored']):,}", unit["households"]),
        (t("insp.brief.kpi.no_measure", lang), of("interventions", f"{no_measure:,}"), unit["households"]),
        (t("insp.brief.kpi.open_items", lang), of("rectifications", f"{int(k['rect_open']):,}"), unit["rect_open"]),
        (t("insp.brief.kpi.overdue", lang), of("rectifications", f"{int(k['rect_overdue']):,}"), unit["rect_open"]),
        (t("insp.brief.kpi.on_time", lang), of("rectifications", f"{int(k['rect_on_time']):,} / "
                                               f"{int(k['rect_on_time'] + k['rect_late']):,}",
                                               not int(k["rect_on_time"] + k["rect_late"])),
         unit["rect_open"]),  # closed on time / closed with both dates
        (t("insp.brief.kpi.compliance", lang), of("visits", f"{int(comp['compliant']):,} / {int(comp['chronic']):,}",
                                                  not int(comp["chronic"])),
         unit["health.chronic"]),  # patients followed up / chronic patients
        (t("insp.brief.kpi.completeness", lang), formats.pct(passed / required if required else None), None),
        (t("insp.brief.kpi.issues", lang), f"{int(k['archive_defects']):,}", unit["archive_defects"]),
    ]
    brief.veto = veto_section(con, flt, viewer, lang)
    since_section(con, flt, viewer, brief, as_of, since)
    brief.findings = findings(con, flt, viewer, lang, as_of, k, comp, no_measure, brief)
    brief.appendix = appendix(lang)
    # key charts of every page, as plain figure dicts (no go.Figure: its validation cost more than the SQL);
    # every breakdown by place as on the pages: by village when the view is one township (area_level),
    # under the page's title (ui.by_place)
    level = area_level(flt, viewer)
    place_axis = t(f"field.{level}", lang)
    by_cause = causes.by_area(con, flt, viewer, level)
    if not by_cause.empty:
        spec = charts.bar_spec(_codes(by_cause, "main_cause", lang), level, "households",
                               color="main_cause", orientation="h",
                               color_order=[code_label(c, lang) for c in CODE_ORDER["main_cause"]],
                               x_title=place_axis, y_title=t("insp.axis.households", lang))
        brief.figures.append((by_place.title("causes", level, lang), spec))
    status = exits.status_by_area(con, flt, viewer, level)
    if not status.empty:
        spec = charts.bar_spec(_codes(status, "exit_status", lang), level, "households",
                               color="exit_status", orientation="h",
                               color_order=[code_label(c, lang) for c in CODE_ORDER["exit_status"]],
                               x_title=place_axis, y_title=t("insp.axis.households", lang))
        brief.figures.append((by_place.title("exit.status", level, lang), spec))
    cov = assistance.coverage_total(con, flt, viewer)
    cov = cov[cov["category"].isin(CODE_ORDER["intervention_category"])] if not cov.empty else cov
    if not cov.empty:
        spec = charts.bar_spec(_codes(cov, "category", lang), "category", "reached", orientation="h",
                               x_title=t("field.category", lang), y_title=t("insp.axis.households", lang))
        brief.figures.append((t("insp.brief.chart.measures", lang), spec))
    rect = by_place.rect_places(qrect.status_by_township(con, flt, viewer, as_of, level=level), level, lang)
    if not rect.empty:
        spec = charts.bar_spec(_codes(rect, "status", lang), level, "items", color="status",
                               orientation="h",
                               color_order=[code_label(c, lang) for c in CODE_ORDER["rectification_status"]],
                               x_title=place_axis, y_title=t("insp.axis.items", lang))
        brief.figures.append((by_place.title("rect.status", level, lang), spec))
    ill = by_place.ill_series(qhealth.ill_by_township(con, flt, viewer, level=level), level, lang)
    if ill["n"].any():  # nobody ill: no blank grid with a -1..1 axis (as on the health page)
        spec = charts.bar_spec(ill, level, "n", color="series", barmode="group",
                               orientation="h", x_title=place_axis, y_title=t("insp.axis.all_households", lang))
        brief.figures.append((by_place.title("health.ill", level, lang), spec))
    places = towns if level == "township" else qquality.completeness(con, flt, viewer, as_of, level=level)
    if not places.empty:
        spec = charts.bar_spec(places, level, "score", orientation="h", text_format="{:.1%}",
                               order=list(places[level])[::-1], x_title=place_axis,
                               y_title=t("col.completeness", lang))
        spec["layout"]["xaxis"].update(tickformat=".0%", range=[0, 1.1])  # horizontal: the value axis is x
        brief.figures.append((by_place.title("quality.completeness", level, lang), charts.near_full(spec)))
    # the visit list and the open items
    vl = qvisits.visit_list(con, flt, viewer, as_of, limit=top)
    if not vl.empty:
        view = vl[["rank", "township", "village", "household_id", "head_name", "n_members", "exit_status",
                   "days_since_visit", "score"]].copy()
        view.insert(len(view.columns) - 1, "reason_text",
                    [joined((t(f"visits.reason.{c}", lang, days=rules.DEFAULT_NO_VISIT_DAYS) for c in r), lang)
                     for r in vl["reasons"]])
        brief.tables.append((t("insp.brief.visit_list", lang, n=len(view)), view))
    open_items = qrect.ledger(con, flt, viewer, as_of, open_only=True, limit=top)
    n_open = qrect.open_count(con, flt, viewer) if len(open_items) >= top else len(open_items)
    title = t("insp.brief.open_items", lang) if n_open <= len(open_items) else \
        t("insp.brief.open_items_top", lang, n=len(open_items), total=f"{n_open:,}")
    brief.tables.append((title, open_items[
        ["issue_id", "township", "village", "household_id", "problem_category", "description", "responsible_unit",
         "deadline", "status", "days_overdue"]] if not open_items.empty else open_items))
    return render(brief)
