"""上次督查以来的变化: tiles of what changed since a chosen data date, and a trend line per key figure
(queries.history). Shown on the overview; the briefing renders the same figures in HTML."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from queries import history as qh
from ui import charts, data, figures
from ui.context import PageContext

TREND_FIGURES = ("households", "exited", "monitored", "returned", "rect_open", "rect_overdue", "with_intervention",
                 "compliant")
_TREND_LABEL = {"with_intervention": "hist.coverage"}
TILES = ("exited", "monitored", "returned", "opened", "closed")


def trend_series(lang_t: object) -> list[tuple[str, str]]:
    return [(f, lang_t(_TREND_LABEL.get(f, f"hist.{f}"))) for f in TREND_FIGURES]  # type: ignore[operator]


def default_since(hist: pd.DataFrame) -> dt.date | None:
    """The as-of date of the load before the last one: "since the last inspection"."""
    if hist.empty:
        return None
    dates = [pd.Timestamp(d).date() for d in hist["as_of"] if pd.notna(d)]
    return dates[-2] if len(dates) > 1 else (dates[0] if dates else None)


def section(ctx: PageContext) -> None:
    st.subheader(ctx.t("since.title"))
    hist = data.run(qh.history, ctx)
    if hist.empty:
        st.caption(ctx.t("since.none"))
        return
    start = default_since(hist) or ctx.data_as_of
    since = st.date_input(ctx.t("since.pick"), value=start, max_value=max(ctx.data_as_of, start), key="since_date")
    ch = data.run(qh.changes, ctx, since=since, as_of=ctx.as_of)
    base = ch["base_as_of"]
    st.caption(ctx.t("since.base", base=pd.Timestamp(base).date().isoformat() if base is not None else "—",
                     loads=ch["loads"]))
    cols = figures.tile_slots(len(TILES))
    for col, key in zip(cols, TILES, strict=True):
        v = ch[key]
        figures.metric(col, ctx, f"since.{key}", v, "—" if v is None else f"{int(v):+,}" if key in
                       ("exited", "monitored", "returned") else f"{int(v):,}")
    if len(hist) > 1:
        plot = hist.assign(as_of=[pd.Timestamp(d).date().isoformat() for d in hist["as_of"]])
        st.markdown(f"**{ctx.t('since.trend')}**")
        charts.show(charts.trends(plot, "as_of", trend_series(ctx.t)), "since_trend", figure="since.trend")
    else:
        st.caption(ctx.t("since.one"))
