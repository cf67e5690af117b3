"""Breakdowns by place, shared by the pages and the briefing (no Streamlit here).

The level is `queries.filters.area_level` (villages when the view is one township, else townships);
this module names each breakdown's chart at that level (`title_key`: the labels of labels/by_place.py
and their township counterparts) and shapes the frames the charts draw, so a page and the briefing
draw the same thing under the same title.
"""

from __future__ import annotations

import pandas as pd

from labels import t

# breakdown -> (label key by township, label key by village)
TITLES: dict[str, tuple[str, str]] = {
    "causes": ("causes.by_township", "causes.by_village_chart"),
    "exit.status": ("exit.by_township", "exit.by_village"),
    "rect.status": ("insp.rect.by_status", "insp.rect.by_status_village"),
    "health.ill": ("insp.health.ill_by_township", "insp.health.ill_by_village"),
    "quality.completeness": ("insp.quality.by_township", "insp.quality.by_village"),
}

ILL_SERIES = {"ill_cause_households": "insp.series.ill_cause", "ill_member_households": "insp.series.ill_member_hh"}


def title_key(breakdown: str, level: str) -> str:
    """The label key of `breakdown`'s title at `level` ("township" or "village")."""
    by_township, by_village = TITLES[breakdown]
    if level not in ("township", "village"):
        raise ValueError(level)
    return by_township if level == "township" else by_village


def title(breakdown: str, level: str, lang: str) -> str:
    return t(title_key(breakdown, level), lang)


def rect_places(by: pd.DataFrame, level: str, lang: str) -> pd.DataFrame:
    """Rectification items by place: at village level a township-level item (no village) gets a bar
    of its own, named 乡镇级事项."""
    if level != "village" or by.empty:
        return by
    return by.assign(village=by["village"].fillna(t("insp.rect.township_items", lang)))


def ill_series(ill: pd.DataFrame, level: str, lang: str) -> pd.DataFrame:
    """Ill households by place in long form: households with an illness or disability as their cause,
    and households with an ill or disabled member (`series` labelled in `lang`, count `n`)."""
    long = ill.melt(id_vars=[level], value_vars=list(ILL_SERIES), var_name="series", value_name="n")
    long["series"] = long["series"].map(lambda c: t(ILL_SERIES[c], lang))
    return long
