"""上次督查以来的变化, the parts with no Streamlit: the default start date, the tiles' texts and the trend's
series, shared by the overview's section (ui.since, with its date picker) and the briefing's HTML
(ui.briefing_html.since_section)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd

from queries.filters import Filters

TREND_FIGURES = ("households", "exited", "monitored", "returned", "rect_open", "rect_overdue", "with_intervention",
                 "compliant")
_TREND_LABEL = {"with_intervention": "hist.coverage"}
TILES = ("exited", "monitored", "returned", "opened", "closed")
_NET = ("exited", "monitored", "returned")  # net changes, written with their sign


def beyond_townships(flt: Filters) -> bool:
    """The filter chooses more than townships (a village, a cause, a status …): the changes, township
    totals from the figure history, do not follow it, and their heading says so (a printed briefing
    showed 监测户 0户 under 因病 beside 新增监测对象 +1户, the township's)."""
    return not flt.with_(townships=()).is_empty()


def trend_series(lang_t: Callable[[str], str]) -> list[tuple[str, str]]:
    return [(f, lang_t(_TREND_LABEL.get(f, f"hist.{f}"))) for f in TREND_FIGURES]


def default_since(hist: pd.DataFrame) -> dt.date | None:
    """"Since the last inspection": the latest data as-of date before the current one's. Not the load
    before the last: a ledger of new findings loaded with the same as-of date made that the start, and
    every tile read +0 beside two more open items (a browser review)."""
    dates = [pd.Timestamp(d).date() for d in hist["as_of"] if pd.notna(d)] if not hist.empty else []
    if not dates:
        return None
    earlier = [d for d in dates if d < dates[-1]]
    return max(earlier) if earlier else dates[0]


def tile_text(key: str, value: object) -> str:
    """A tile's value: net changes signed (+3, -1), counts plain, "—" when there is no baseline."""
    if value is None:
        return "—"
    return f"{int(value):+,}" if key in _NET else f"{int(value):,}"  # type: ignore[call-overload]


def base_text(base: object) -> str:
    """The baseline load's as-of date as text, "—" when no load is at or before the chosen date."""
    return "—" if base is None or pd.isna(base) else pd.Timestamp(base).date().isoformat()  # type: ignore[arg-type]


def trend_frame(hist: pd.DataFrame) -> pd.DataFrame:
    """The load history as the trend chart draws it: one row per data as-of date (its last load: two
    loads of one date were drawn at one x, their labels over each other), the date as ISO text."""
    out = hist.assign(as_of=[pd.Timestamp(d).date().isoformat() for d in hist["as_of"]])
    return out.drop_duplicates("as_of", keep="last").reset_index(drop=True)


def unknown(changes: dict[str, object]) -> bool:
    """A net change could not be told (its figure is missing at the baseline or now): the "—" is
    explained under the tiles (`since.unknown`)."""
    return any(changes[k] is None for k in _NET)
