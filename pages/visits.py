"""入户走访 Visit planner: ranked households with reasons, inspection sample, household profiles."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from etl import rules
from queries import profile as qprofile
from queries import visits as q
from queries.filters import area_level
from ui import data, empty, extract, header, profile_html, table
from ui.context import PageContext, current
from ui.formats import joined, plain_dates

MAX_PROFILES = 200  # profiles in one download


def reason_texts(codes: object, ctx: PageContext, days: int) -> list[str]:
    items = codes.tolist() if hasattr(codes, "tolist") else list(codes or [])  # type: ignore[arg-type]
    return [ctx.t(f"visits.reason.{c}", days=days) for c in items]


def rules_table(ctx: PageContext, days: int) -> pd.DataFrame:
    return pd.DataFrame({
        ctx.t("insp.visits.reason_col"): [ctx.t(f"visits.reason.{c}", days=days) for c in q.WEIGHTS],
        ctx.t("insp.visits.rule_col"): [ctx.t(f"visits.rule.{c}", days=days, age=rules.ELDERLY_ALONE_AGE) for c in q.WEIGHTS],
        ctx.t("insp.visits.weight_col"): list(q.WEIGHTS.values()),
    })


def list_view(df: pd.DataFrame, ctx: PageContext, days: int) -> pd.DataFrame:
    # the reasons, which decide a visit, right after the household's name and score; the 户编号 after them
    # (before them, the reasons began at the right edge of a 1280-pixel screen: a browser review)
    out = df[["rank", "township", "village", "head_name", "score", "household_id", "days_since_visit",
              "n_members", "oldest_age", "exit_status", "monitoring_type", "main_cause", "income_per_capita",
              "poverty_line", "last_visit_date"]].copy()
    out.insert(out.columns.get_loc("score") + 1, "reason_text",
               [joined(reason_texts(r, ctx, days), ctx.lang) for r in df["reasons"]])
    for col in ("exit_status", "monitoring_type", "main_cause"):
        out[col] = out[col].fillna("")
    return plain_dates(out)


# the reasons that hold for every household while their ledger holds no row
_OF_LEDGER = {"interventions": "no_measure", "visits": "no_recent_visit"}


def ledger_note(ctx: PageContext, days: int) -> None:
    """A first county's list put 无帮扶措施 and 30天内未走访 on every household, scored as facts, while the
    measure and visit ledgers were simply not loaded: say so above the list."""
    missing = [k for k in _OF_LEDGER if not empty.loaded(k)]
    if missing:
        st.warning(ctx.t("visits.ledger_missing", kinds=ctx.t("list.sep").join(ctx.t(f"kind.{k}") for k in missing),
                         reasons=ctx.t("list.sep").join(ctx.t(f"visits.reason.{_OF_LEDGER[k]}", days=days)
                                                        for k in missing)),
                   icon=":material/upload_file:")


def main() -> None:
    ctx = current()
    header.show("insp.page.visits")
    with st.sidebar.expander(ctx.t("insp.settings"), expanded=False):
        days = int(st.number_input(ctx.t("insp.visits.days"), 1, 365, rules.DEFAULT_NO_VISIT_DAYS,
                                   persist_state="session", key="visits_days"))
        top = int(st.number_input(ctx.t("insp.visits.top"), 5, 1000, 50, step=5,
                                  persist_state="session", key="visits_top"))
    header.rules(ctx.t("insp.visits.rules"), table=rules_table(ctx, days))
    # not to a viewer of one township, whose list is already that township's (area_level's rule)
    if not ctx.flt.townships and not ctx.flt.villages and area_level(ctx.flt, ctx.viewer) == "township":
        st.info(ctx.t("insp.visits.choose_area"), icon=":material/location_on:")

    tab_list, tab_profile, tab_sample = st.tabs([ctx.t("insp.visits.list"), ctx.t("insp.visits.profile"),
                                                 ctx.t("insp.visits.sample")])
    query = q.visit_list_query(ctx.flt, ctx.viewer, ctx.as_of, no_visit_days=days, stored_as_of=ctx.data_as_of)
    df = data.page(query, max(top, MAX_PROFILES))
    with tab_list:
        if df.empty:
            empty.show()
        else:
            ledger_note(ctx, days)
            st.caption(ctx.t("insp.visits.list_caption", n=f"{int(df['total'].iloc[0]):,}"))  # 12,642 as the line below
            view = list_view(df.head(top), ctx, days)
            viewer = ctx.viewer  # the profiles below run outside the script run
            table.show_list("visits_list", df.head(top), ctx.t("insp.what.visit_list"), query, view=view,
                            sources={"reason_text": "reasons"},
                            mappings={"reason_text": {c: ctx.t(f"visits.reason.{c}", days=days) for c in q.WEIGHTS}},
                            column_config={"score": st.column_config.ProgressColumn(
                                format="%d", min_value=0, max_value=int(sum(q.WEIGHTS.values())))})
            n = min(top, MAX_PROFILES, len(df))
            ids = [str(h) for h in df["household_id"].head(n)]
            reasons = dict(zip(ids, (reason_texts(r, ctx, days) for r in df["reasons"].head(n)), strict=True))
            snap = data.snapshot()

            def profiles_html() -> bytes:  # runs outside the script run: no Streamlit state inside
                if snap is None:
                    raise data.NoDatabase
                con = data.cursor_on(snap)
                try:
                    found = qprofile.profiles(con, ids, viewer, ctx.as_of)
                finally:
                    con.close()
                return profile_html.render(found, ctx.lang, ctx.as_of, reasons).encode("utf-8")

            extract.download(
                ctx.t("insp.visits.download_all", n=n), profiles_html,
                what=ctx.t("insp.what.profiles"), fmt="html", rows=n, mime="text/html", key="visits_dl_all",
                file_name=extract.file_name(ctx.t("insp.what.profiles"), extract.scoped(ctx.flt, ctx.viewer),
                                            ctx.as_of, "html", ctx.lang),
                icon=":material/print:",
            )
    with tab_profile:
        _profile(ctx, df, days)
    with tab_sample:
        _sample(ctx)


_HH_SAID = "_visits_hh_said"  # the link's household (?hh=) already said not to be in view


def _profile(ctx: PageContext, df: pd.DataFrame, days: int) -> None:
    options = data.run(qprofile.household_options, ctx)
    if options.empty:
        empty.show()
        return
    # visit-list order first, then every other household of the filter
    ranked = df["household_id"].astype(str).tolist() if not df.empty else []
    ranked_set = set(ranked)
    opt_ids = options["household_id"].astype(str)
    ids = ranked + opt_ids[~opt_ids.isin(ranked_set)].tolist()
    labels = (opt_ids + " · " + options["township"].fillna("").astype(str) + " " + options["village"].fillna("").astype(str)
              + " · " + options["head_name"].fillna("").astype(str))
    names = dict(zip(opt_ids, labels, strict=True))
    wanted = st.query_params.get("hh")
    index = ids.index(wanted) if wanted in ids else 0
    if wanted and wanted not in ids and st.session_state.get(_HH_SAID) != wanted:  # once, as a link's filters
        st.session_state[_HH_SAID] = wanted  # another household's profile was shown without a word
        st.warning(ctx.t("insp.visits.hh_unknown"), icon=":material/link_off:")  # no number echoed: may be
        # another township's, or a person's ID
    hid = st.selectbox(ctx.t("insp.visits.pick"), ids, index=index, format_func=lambda h: names.get(h, h),
                       key="visits_pick")
    if hid is None:
        return
    reasons: list[str] = []
    if not df.empty and hid in ranked_set:
        row = df[df["household_id"] == hid].iloc[0]
        reasons = reason_texts(row["reasons"], ctx, days)
    prof = data.call(qprofile.profile, hid, ctx.viewer, ctx.as_of)
    profile_html.show(prof, ctx, key="visits_profile", reasons=reasons)


def _sample(ctx: PageContext) -> None:
    st.caption(ctx.t("insp.visits.sample_rules"))
    c1, c2, c3, c4 = st.columns(4)
    seed = int(c1.number_input(ctx.t("insp.visits.seed"), 0, 10**9, 2020,
                               persist_state="session", key="sample_seed"))
    n_v = int(c2.number_input(ctx.t("insp.visits.n_villages"), 0, 1000, 0,
                              persist_state="session", key="sample_villages"))
    n_r = int(c3.number_input(ctx.t("insp.visits.n_registered"), 0, 1000, 20,
                              persist_state="session", key="sample_registered"))
    n_o = int(c4.number_input(ctx.t("insp.visits.n_other"), 0, 1000, 5,
                              persist_state="session", key="sample_other"))
    spec = q.SampleSpec(seed=seed, villages=n_v or None, registered=n_r, other=n_o)
    sample = data.run(q.inspection_sample, ctx, spec=spec)
    if sample.empty:
        empty.show()
        return
    st.markdown(ctx.t("insp.visits.sample_caption", seed=seed, villages=sample["village_draw"].nunique(),
                      n=len(sample)))
    table.show("visits_sample", sample, ctx.t("insp.what.sample", seed=seed))


main()
