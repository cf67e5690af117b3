"""上次督查以来的变化: tiles of what changed since a chosen data date, and a trend line per key figure
(queries.history). Shown on the overview; the briefing page offers the same date picker (`pick`) and
renders the same figures in HTML (ui.since_figures holds the parts with no Streamlit)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from queries import history as qh
from ui import charts, data, figures
from ui import since_figures as sf
from ui.context import PageContext

SINCE_KEY = "since_date"  # one date for the session: the overview's and the briefing's picker


def pick(ctx: PageContext, hist: pd.DataFrame, key: str = SINCE_KEY) -> dt.date:
    """The "since date X" picker: a data date, by default the load before the last one. The overview
    and the briefing share it: a date picked on one holds on the other (the briefing made after reading
    "+8 since 2020-01-15" on the overview counted from its own default)."""
    start = sf.default_since(hist) or ctx.data_as_of
    return st.date_input(ctx.t("since.pick"), value=start, max_value=max(ctx.data_as_of, start),
                         persist_state="session", key=key)


def section(ctx: PageContext) -> None:
    st.subheader(ctx.t("since.title_towns" if sf.beyond_townships(ctx.flt) else "since.title"))
    hist = data.run(qh.history, ctx)
    if hist.empty:
        st.caption(ctx.t("since.none"))
        return
    since = pick(ctx, hist)
    ch = data.run(qh.changes, ctx, since=since, as_of=ctx.as_of)
    compared = len(hist) > 1  # one load has no baseline: its net changes read "—", said by since.one below
    if compared:
        st.caption(ctx.t("since.base", base=sf.base_text(ch["base_as_of"]), loads=ch["loads"]))
    cols = figures.tile_slots(len(sf.TILES), "since")
    for col, key in zip(cols, sf.TILES, strict=True):
        v = ch[key]
        figures.metric(col, ctx, f"since.{key}", v, sf.tile_text(key, v))
    if compared and sf.unknown(ch):
        st.caption(ctx.t("since.unknown"))
    if compared:
        st.markdown(f"**{ctx.t('since.trend')}**")
        frame, series = sf.trend_frame(hist), sf.trend_series(ctx.t)
        charts.show_row(charts.trend_grids(frame, "as_of", series), "since_trend", figure="since.trend")
        st.caption(ctx.t("since.trend_note"))
    else:
        st.caption(ctx.t("since.one"))
