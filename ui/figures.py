"""Figures on screen with their dictionary entry (queries.figures): KPI tiles, the population line
under a chart, the population switch, and the record of what a run showed (the figure-registry test
compares it across pages).

A tile or chart without a dictionary entry raises KeyError: it cannot be drawn undocumented.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from queries import figures, population
from ui import layout
from ui.context import PageContext, set_population
from ui.formats import with_unit

SHOWN_KEY = "_figures_shown"  # {figure key: [values shown]}, reset by every run of the entry point
# At most this many tiles to a row: six to a row cut "94.7%" to "94.…" and "建档立卡户" to "建档立卡…"
# on a 1280-pixel screen with the sidebar open.
TILES_PER_ROW = 4


def tile_slots(n: int, key: str) -> list[Any]:
    """Columns for `n` KPI tiles in as few rows as TILES_PER_ROW allows, the rows as even as can be
    (6 tiles: 3 + 3, 12: 4 + 4 + 4); on a phone two to a row across the rows (`ui.layout.TILES_PREFIX`:
    6 tiles were 2 + 1 + 2 + 1). `key` names the tiles on their page (unique within the page)."""
    rows = -(-n // TILES_PER_ROW)
    per_row = -(-n // rows) if rows else 0
    slots: list[Any] = []
    with st.container(key=layout.TILES_PREFIX + key):
        for start in range(0, n, per_row or 1):
            slots += st.columns(per_row)[: n - start]
    return slots


def reset_shown() -> None:
    st.session_state[SHOWN_KEY] = {}


def record(key: str, value: object) -> None:
    """Note the value a page shows for a named figure (the figure-registry test reads it)."""
    figures.entry(key)
    st.session_state.setdefault(SHOWN_KEY, {}).setdefault(key, []).append(value)


def metric(where: Any, ctx: PageContext, key: str, value: object, shown: str, *, label: str | None = None,
           extra: str | None = None, **kwargs: Any) -> None:
    """A KPI tile named and explained by the figure's entry; `value` is the number, `shown` its text,
    written here with the figure's unit (600户). A count without a unit cannot be drawn (ValueError)."""
    f = figures.entry(key)
    if f.unit is None and f.denominator is None:
        raise ValueError(f"tile {key!r}: a count declares its unit (queries.figures.define(..., unit=...))")
    shown = with_unit(shown, f.unit, ctx.lang)
    help_text = figures.help_text(key, ctx.lang) + (f"  \n{extra}" if extra else "")
    kwargs.setdefault("border", True)
    kwargs.setdefault("height", "stretch")  # a row of tiles one height (a unit such as 户 or a delta made some taller)
    where.metric(label or f.text("name", ctx.lang), shown, help=help_text, **kwargs)
    record(key, value)


def population_note(ctx: PageContext, key: str) -> None:
    """One line under a chart or table: who it counts, with the full entry as help."""
    f = figures.entry(key)
    st.caption(f"{ctx.t('figures.population')}{f.text('population', ctx.lang)}",
               help=figures.help_text(key, ctx.lang))


def population_switch(ctx: PageContext, key: str) -> str:
    """建档立卡户 (default) or 监测对象 for the page's household counts; never both at once."""
    chosen = st.segmented_control(ctx.t("figures.population_switch"), list(population.POPULATIONS),
                                  persist_state="session", key=key,
                                  format_func=lambda p: ctx.t(f"population.{p}"), default=population.REGISTERED,
                                  required=True) or population.REGISTERED
    set_population("" if chosen == population.REGISTERED else chosen)  # the downloads name it
    return chosen


def households_axis(ctx: PageContext, chosen: str) -> str:
    """The title of an axis of households of the switch's population: 户数 is the registered households
    wherever it is written, so the monitored ones are 监测对象户数."""
    return ctx.t("col.households" if chosen == population.REGISTERED else "col.monitored_households")


def population_switch_end() -> None:
    """The sections after this one count populations of their own, not the switch's: their downloads are
    not named after it (疑似错退户名单_监测对象 listed the registered households that exited)."""
    set_population("")
