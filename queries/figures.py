"""The indicator dictionary (指标口径): one entry per figure a page, the briefing or an extract shows.

Each query module defines its figures with `define(...)` next to the SQL that computes them, so the help
text cannot drift from the number. An entry names the figure, the population it counts, numerator,
denominator (None for a count), date rule and source tables, in Chinese and English. `entry(key)` raises
KeyError for a figure without an entry: a KPI tile or chart cannot be drawn without one
(`ui.figures`), and tests/test_dictionary.py opens every page to check it.

Populations (one definition each, `queries.population`): counts of households (户数) are registered
households (建档立卡户) unless the figure names the monitored (监测对象); people (人数) are member rows.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

import pandas as pd

Text = tuple[str, str]  # (Chinese, English)


NO_PART = "—"  # a part a figure has not (a count's denominator)


@dataclass(frozen=True)
class Figure:
    key: str
    name: Text
    population: Text
    numerator: Text
    denominator: Text | None
    date_rule: Text
    source: str  # table names, as in the database
    # what a count counts, written after its number on a tile (labels `unit.<unit>`: 600户); None for a
    # share (it has a denominator and is written with %) and for what is never a tile's number
    unit: str | None = None

    def text(self, part: str, lang: str) -> str:
        value = getattr(self, part)
        if value is None:
            return NO_PART
        if isinstance(value, str):
            return value
        return value[1] if lang == "en" else value[0]


DICTIONARY: dict[str, Figure] = {}

# Modules that define figures (imported on first use of the dictionary)
MODULES = ("queries.population", "queries.overview", "queries.causes", "queries.exits", "queries.assistance",
           "queries.health", "queries.quality", "queries.rectification", "queries.inspection_rates",
           "queries.history", "queries.profile")

# The usual date rule: what the current snapshot holds
SNAPSHOT: Text = ("当前数据版本中的最新档案状态（数据截至日期见页首）",
                  "The registry as it stands in the current snapshot (data as-of date in the header)")


# The units a count is written in (labels `unit.<unit>`)
UNITS = ("households", "people", "items", "issues")


def define(key: str, name: Text, population: Text, numerator: Text, denominator: Text | None = None,
           date_rule: Text = SNAPSHOT, source: str = "agg_household", unit: str | None = None) -> Figure:
    if key in DICTIONARY:
        raise ValueError(f"figure {key!r} defined twice")
    if unit is not None and (unit not in UNITS or denominator is not None):
        raise ValueError(f"figure {key!r}: unit {unit!r} (one of {UNITS}, for a count only)")
    fig = Figure(key, name, population, numerator, denominator, date_rule, source, unit)
    DICTIONARY[key] = fig
    return fig


def _load() -> None:
    for m in MODULES:
        importlib.import_module(m)


def entry(key: str) -> Figure:
    """The figure's entry; KeyError when it has none."""
    if key not in DICTIONARY:
        _load()
    return DICTIONARY[key]


def all_figures() -> list[Figure]:
    _load()
    return list(DICTIONARY.values())


PARTS = ("name", "population", "numerator", "denominator", "date_rule", "source")
_HEAD = {"zh": ("统计对象", "分子", "分母", "日期口径", "来源表"),
         "en": ("Population", "Numerator", "Denominator", "Date rule", "Source")}


# The database tables behind a figure: in the dictionary (for whoever queries the snapshot), not in a
# tile's tooltip, where a leader read "来源表：agg_household" (a browser review)
TECHNICAL = ("source",)


def help_text(key: str, lang: str) -> str:
    """The entry as a tooltip (Markdown lines), without its TECHNICAL parts."""
    f = entry(key)
    head = _HEAD["en" if lang == "en" else "zh"]
    lines = [f"**{f.text('name', lang)}**"]
    for label, part in zip(head, PARTS[1:], strict=True):
        if (part == "denominator" and f.denominator is None) or part in TECHNICAL:
            continue
        lines.append(f"{label}：{f.text(part, lang)}" if lang != "en" else f"{label}: {f.text(part, lang)}")
    return "  \n".join(lines)


def frame(lang: str, keys: list[str] | None = None) -> pd.DataFrame:
    """The dictionary (or the entries of `keys`, in that order) as a table; columns are PARTS + key
    (labels `dict.<column>`)."""
    figs = [entry(k) for k in keys] if keys is not None else all_figures()
    return pd.DataFrame([{"key": f.key, **{p: f.text(p, lang) for p in PARTS}} for f in figs],
                        columns=["key", *PARTS])
