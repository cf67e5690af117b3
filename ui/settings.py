"""Sidebar settings: language and reference date. Both live in the URL (`lang=en`, `asof=today`).

- `language(key="lang") -> "zh" | "en"`: Chinese by default.
- `reference_date(data_as_of, lang, key="asof") -> date`: the data's as-of date (default) or today;
  overdue and days-since are computed against it.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from etl import clock
from labels import LANGS, t
from ui.navigation import history_navigation

LANG_KEY = "lang"
ASOF_KEY = "asof"
_LANG_NAMES = {"zh": "中文", "en": "English"}


def _init_from_url(key: str, allowed: tuple[str, ...], default: str) -> None:
    """From the address on a session's first run and after the back or forward button (whose entry's
    language and date mode are shown, as its filters are: ui.filters)."""
    if key not in st.session_state or history_navigation():
        raw = st.query_params.get(key)
        st.session_state[key] = raw if raw in allowed else default


def _sync_url(key: str, value: str, default: str) -> None:
    if value == default:
        if key in st.query_params:
            del st.query_params[key]
    elif st.query_params.get(key) != value:
        st.query_params[key] = value


def language(key: str = LANG_KEY) -> str:
    _init_from_url(key, LANGS, "zh")
    lang = st.sidebar.segmented_control(
        "语言 / Language", LANGS, format_func=_LANG_NAMES.get, key=key, required=True,
    ) or "zh"
    _sync_url(key, lang, "zh")
    return lang


def reference_date(data_as_of: dt.date, lang: str, key: str = ASOF_KEY) -> dt.date:
    _init_from_url(key, ("data", "today"), "data")
    labels = {
        "data": t("asof.data", lang, date=data_as_of.isoformat()),
        "today": t("asof.today", lang, date=clock.today().isoformat()),
    }
    mode = st.sidebar.radio(t("asof.label", lang), ("data", "today"), format_func=labels.get, key=key,
                            help=t("asof.help", lang)) or "data"
    _sync_url(key, mode, "data")
    return clock.today() if mode == "today" else data_as_of
