"""Sidebar filters, declared once in dashboard.py and used by every page.

`show(opts, lang, key="flt") -> Filters`: one widget per filter dimension of `etl.filter_spec.FILTERS`,
in its order: a multiselect (code values shown translated; villages narrowed by the chosen townships)
or a year-range slider (registration and exit years); a reset button. State lives in st.session_state (widgets rendered on
every run, so it persists across pages) and in the URL (queries.filters.to_query_params: plain
strings, parsed and validated on the first run of a session; values not among the options dropped,
and said once by `url_notice(lang)`).

`drill_to(township=None, village=None, key="flt")`: for click callbacks (on_select/on_click, which run
before the sidebar is drawn): narrows the filter to one township (and optionally village).
`clear_area(key="flt")`: clears township and village. `reset(key="flt")`: clears every filter.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import streamlit as st

from labels import code_label, t
from queries.filters import (
    FILTERS,
    URL_KEYS,
    FilterDef,
    Filters,
    Options,
    from_query_params,
    restrict_to_options,
    to_query_params,
    url_values,
)
from ui.formats import md_escape, shortened
from ui.navigation import history_navigation


def _k(key: str, name: str) -> str:
    return f"{key}_{name}"


_BY_NAME = {d.name: d for d in FILTERS}
_NOTICE_VALUES = 10  # the link's ignored values named in its notice; the rest are counted


def _read_url() -> dict[str, list[str]]:
    return {k: st.query_params.get_all(k) for k in URL_KEYS if k in st.query_params}


def _unrecognised(url: dict[str, list[str]], taken: Filters) -> list[tuple[str, str]]:
    """(filter name, value) of every value of the link that the filter did not take: not among the
    options (a stale or mistyped village, a township outside the viewer's), not within the link's
    township, too long to be any value (dropped by the parser, and silently until 2026-12-07), not
    a year range, or a range holding none of the data's years."""
    out: list[tuple[str, str]] = []
    for d in FILTERS:
        if d.kind == "multi":
            out += [(d.name, v) for v in url_values(url, d) if v not in getattr(taken, d.name)]
        elif getattr(taken, d.name) is None and url.get(d.url_key):
            out.append((d.name, url[d.url_key][-1]))
    return out


def _meets(rng: tuple[int, int] | None, bounds: tuple[int, int] | None) -> bool:
    """Whether a year range (None: none asked) shares a year with the data's `bounds` (None: no years)."""
    return rng is None or (bounds is not None and rng[0] <= bounds[1] and rng[1] >= bounds[0])


def _init(key: str, opts: Options, scoped: bool) -> None:
    """First run of a session, and a run after the browser's back or forward button: take the filters
    from the URL, keeping for `url_notice` what they could not take (a stale link showed a whole
    township for a village it did not know, without a word). Back kept the session's filters and wrote
    them over the earlier address, so it undid no filter change and took several presses to leave a page."""
    flag = _k(key, "_init")
    if st.session_state.get(flag) and not history_navigation():
        return
    st.session_state[flag] = True
    url = _read_url()
    flt = restrict_to_options(from_query_params(url), opts.as_mapping())
    # a village outside the link's township: the widget would drop it on drawing, so drop it here, said
    flt = flt.with_(**{d.name: tuple(v for v in getattr(flt, d.name) if v in opts.values(d.name, getattr(flt, d.within)))
                       for d in FILTERS if d.kind == "multi" and d.within is not None})
    # a year range holding none of the data's years: clamped to the nearest year, it showed another cohort
    # (脱贫年度 2030–2031 became 2020 alone, and the link was rewritten so), so dropped here, said
    flt = flt.with_(**{d.name: None for d in FILTERS if d.kind == "year_range"
                       and not _meets(getattr(flt, d.name), opts.years(d.name))})
    # a viewer limited to some townships never reads another place's name, not even the link's
    st.session_state[_k(key, "_unrecognised")] = [
        (name, None if scoped and _BY_NAME[name].area else v) for name, v in _unrecognised(url, flt)]
    for d in FILTERS:
        value = getattr(flt, d.name)
        if d.kind == "multi":
            st.session_state[_k(key, d.name)] = list(value)
            continue
        bounds = opts.years(d.name)
        if bounds is not None:
            lo, hi = value if value is not None else bounds
            st.session_state[_k(key, d.name)] = (max(lo, bounds[0]), min(hi, bounds[1]))


def url_notice(lang: str, key: str = "flt") -> None:
    """Once, on the page a link opened: the link's filter values that were not recognised and ignored
    (as ui.navigation.not_found_notice says an address without a page)."""
    unknown = st.session_state.pop(_k(key, "_unrecognised"), None)
    if not unknown:
        return
    items = list(dict.fromkeys(unknown))
    values = t("list.sep", lang).join(
        t("filter.url_place_hidden", lang, filter=t(_BY_NAME[name].label_key, lang)) if v is None else
        t("filter.url_value", lang, filter=t(_BY_NAME[name].label_key, lang),
          value=md_escape(shortened(v)))
        for name, v in items[:_NOTICE_VALUES])
    if len(items) > _NOTICE_VALUES:  # a link of hundreds of values: a notice of a few lines, and how many
        values += t("filter.url_more", lang, n=len(items))
    st.warning(t("filter.url_unknown", lang, values=values), icon=":material/link_off:")


def reset(key: str = "flt") -> None:
    for d in FILTERS:
        st.session_state.pop(_k(key, d.name), None)
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


def shared_names(opts: Options, d: FilterDef, within: Sequence[str]) -> dict[str, list[str]]:
    """The values of a narrowed dimension (villages) that more than one of the `within` values in reach
    (the chosen townships, or all when none is chosen) have, each with those values in their order.
    The filter holds names: such a name takes the village of that name in each of them."""
    if d.within is None:
        return {}
    chosen = set(within)
    holders: dict[str, list[str]] = {}
    for w, v in dict(opts.choices)[d.name]:
        if w is not None and (not chosen or w in chosen) and w not in holders.get(v, []):
            holders.setdefault(v, []).append(w)
    return {v: ws for v, ws in holders.items() if len(ws) > 1}


def _multiselect(key: str, d: FilterDef, options: Sequence[str], lang: str,
                 shared: Mapping[str, Sequence[str]] | None = None) -> list[str]:
    wkey = _k(key, d.name)
    current = [v for v in st.session_state.get(wkey, []) if v in options]
    st.session_state[wkey] = current
    shared = shared or {}

    def fmt(v: str) -> str:
        if d.code_list:
            return code_label(v, lang) or v
        if v in shared:  # listed once, bare, it read as one village and took all of them (新华村 of two townships)
            return t("filter.shared_village", lang, village=v, townships=t("list.sep", lang).join(shared[v]))
        return str(v)

    # no "Select all" (Streamlit's English, in every filter): 全部 is choosing nothing, and choosing every
    # value listed is not all (it leaves out the households without one: every 监测对象类别 is the monitored)
    return st.sidebar.multiselect(
        t(d.label_key, lang), list(options), key=wkey, format_func=fmt, placeholder=t("filter.all", lang),
        select_all=False,
    )


def _range(key: str, d: FilterDef, bounds: tuple[int, int] | None, lang: str) -> tuple[int, int] | None:
    if bounds is None or bounds[0] >= bounds[1]:
        return None
    wkey, bkey = _k(key, d.name), _k(key, f"_{d.name}_bounds")
    lo, hi = st.session_state.get(wkey, bounds)
    if (lo, hi) == st.session_state.get(bkey, bounds):  # every year (no filter) stays every year: after a
        lo, hi = bounds  # load that brought 2021's exits, 2014–2020 became a filter nobody chose
    st.session_state[bkey] = tuple(bounds)
    st.session_state[wkey] = (max(bounds[0], min(lo, bounds[1])), min(bounds[1], max(hi, bounds[0])))
    value = st.sidebar.slider(t(d.label_key, lang), bounds[0], bounds[1], key=wkey, step=1, format="%d",
                              help=t(d.note_key, lang) if d.note_key else None)
    rng = (int(value[0]), int(value[1]))
    return None if rng == tuple(bounds) else rng


def show(opts: Options, lang: str, key: str = "flt", scoped: bool = False) -> Filters:
    """One widget per filter dimension (etl.filter_spec), in its order; returns the selection.
    `scoped`: the viewer sees some townships only (a link's place outside them is not named back)."""
    _init(key, opts, scoped)
    st.sidebar.subheader(t("filter.title", lang))
    picked: dict[str, tuple[str, ...]] = {}
    ranges: dict[str, tuple[int, int] | None] = {}
    for d in FILTERS:
        if d.kind == "multi":
            within = picked[d.within] if d.within is not None else ()
            choices = opts.values(d.name, within)
            picked[d.name] = tuple(_multiselect(key, d, choices, lang, shared_names(opts, d, within)))
        else:
            ranges[d.name] = _range(key, d, opts.years(d.name), lang)
    flt = Filters(**picked, **ranges)
    st.sidebar.button(t("filter.reset", lang), key=_k(key, "reset"), on_click=reset, args=(key,),
                      disabled=flt.is_empty(), icon=":material/restart_alt:")
    _sync_url(flt)
    return flt


def _sync_url(flt: Filters) -> None:
    """The filters into the address, in one change: each key written apart made an entry of the browser's
    history (Streamlit clears the address on a page switch, and two filters restored made two), which
    the back button then walked through."""
    wanted = to_query_params(flt)
    current = {k: st.query_params.get_all(k) for k in st.query_params}
    new = {**{k: v for k, v in current.items() if k not in URL_KEYS}, **wanted}
    if new != current:
        st.query_params.from_dict(new)
