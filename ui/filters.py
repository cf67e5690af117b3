"""Sidebar filters, declared once in dashboard.py and used by every page.

`show(opts, lang, key="flt") -> Filters`: multiselects for township, village (narrowed by the chosen
townships), main cause, household attribute, exit status, monitoring type; year-range sliders for the
registration and exit years; a reset button. State lives in st.session_state (widgets rendered on
every run, so it persists across pages) and in the URL (queries.filters.to_query_params: plain
strings, parsed and validated on the first run of a session; values not among the options dropped).

`drill_to(township=None, village=None, key="flt")`: for click callbacks (on_select/on_click, which run
before the sidebar is drawn): narrows the filter to one township (and optionally village).
`clear_area(key="flt")`: clears township and village. `reset(key="flt")`: clears every filter.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from labels import code_label, t
from queries.filters import (
    URL_KEYS,
    Filters,
    Options,
    from_query_params,
    restrict_to_options,
    to_query_params,
)

_LISTS = ("townships", "villages", "main_causes", "household_attributes", "exit_statuses", "monitoring_types")
_RANGES = ("identified_years", "exit_years")
_CODE_FIELDS = {"main_causes", "household_attributes", "exit_statuses", "monitoring_types"}


def _k(key: str, name: str) -> str:
    return f"{key}_{name}"


def _read_url() -> dict[str, list[str]]:
    return {k: st.query_params.get_all(k) for k in URL_KEYS if k in st.query_params}


def _init(key: str, opts: Options) -> None:
    """First run of a session: take the filters from the URL."""
    flag = _k(key, "_init")
    if st.session_state.get(flag):
        return
    st.session_state[flag] = True
    flt = restrict_to_options(from_query_params(_read_url()), opts.as_mapping())
    for name in _LISTS:
        st.session_state[_k(key, name)] = list(getattr(flt, name))
    for name in _RANGES:
        bounds = getattr(opts, name)
        rng = getattr(flt, name)
        if bounds is not None:
            lo, hi = rng if rng is not None else bounds
            st.session_state[_k(key, name)] = (max(lo, bounds[0]), min(hi, bounds[1]))


def reset(key: str = "flt") -> None:
    for name in (*_LISTS, *_RANGES):
        st.session_state.pop(_k(key, name), None)
    st.session_state[_k(key, "_init")] = True  # do not re-read the URL


def drill_to(township: str | None = None, village: str | None = None, key: str = "flt") -> None:
    st.session_state[_k(key, "_init")] = True
    if township:
        st.session_state[_k(key, "townships")] = [township]
        st.session_state[_k(key, "villages")] = [village] if village else []
    elif village:
        st.session_state[_k(key, "villages")] = [village]


def clear_area(key: str = "flt") -> None:
    """Back to the whole county: clear the township and village filters."""
    st.session_state[_k(key, "_init")] = True
    st.session_state[_k(key, "townships")] = []
    st.session_state[_k(key, "villages")] = []


def _multiselect(key: str, name: str, options: Sequence[str], lang: str, label_key: str) -> list[str]:
    wkey = _k(key, name)
    current = [v for v in st.session_state.get(wkey, []) if v in options]
    st.session_state[wkey] = current
    fmt = (lambda v: code_label(v, lang) or v) if name in _CODE_FIELDS else str
    return st.sidebar.multiselect(
        t(label_key, lang), list(options), key=wkey, format_func=fmt, placeholder=t("filter.all", lang),
    )


def _range(key: str, name: str, bounds: tuple[int, int] | None, lang: str, label_key: str
           ) -> tuple[int, int] | None:
    if bounds is None or bounds[0] >= bounds[1]:
        return None
    wkey = _k(key, name)
    lo, hi = st.session_state.get(wkey, bounds)
    st.session_state[wkey] = (max(bounds[0], min(lo, bounds[1])), min(bounds[1], max(hi, bounds[0])))
    value = st.sidebar.slider(t(label_key, lang), bounds[0], bounds[1], key=wkey, step=1, format="%d")
    rng = (int(value[0]), int(value[1]))
    return None if rng == tuple(bounds) else rng


def show(opts: Options, lang: str, key: str = "flt") -> Filters:
    _init(key, opts)
    st.sidebar.subheader(t("filter.title", lang))
    townships = _multiselect(key, "townships", opts.townships, lang, "filter.townships")
    villages = _multiselect(key, "villages", opts.villages(townships), lang, "filter.villages")
    causes = _multiselect(key, "main_causes", opts.main_causes, lang, "filter.main_causes")
    attrs = _multiselect(key, "household_attributes", opts.household_attributes, lang, "filter.attributes")
    statuses = _multiselect(key, "exit_statuses", opts.exit_statuses, lang, "filter.exit_statuses")
    mons = _multiselect(key, "monitoring_types", opts.monitoring_types, lang, "filter.monitoring_types")
    idy = _range(key, "identified_years", opts.identified_years, lang, "filter.identified_years")
    exy = _range(key, "exit_years", opts.exit_years, lang, "filter.exit_years")
    flt = Filters(tuple(townships), tuple(villages), tuple(causes), tuple(attrs), tuple(statuses), tuple(mons),
                  idy, exy)
    st.sidebar.button(t("filter.reset", lang), key=_k(key, "reset"), on_click=reset, args=(key,),
                      disabled=flt.is_empty(), icon=":material/restart_alt:")
    _sync_url(flt)
    return flt


def _sync_url(flt: Filters) -> None:
    wanted = to_query_params(flt)
    for k in URL_KEYS:
        if k in wanted:
            if st.query_params.get_all(k) != wanted[k]:
                st.query_params[k] = wanted[k]
        elif k in st.query_params:
            del st.query_params[k]
