"""The empty state: what a chart or a table shows when the filters leave nothing to show (with how to
widen them)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from etl.history import ledgers_with_rows
from queries import population
from ui import data
from ui.context import PageContext, current
from ui.empty_text import no_household_text


def show(hint: str | None = None) -> None:
    ctx = current()
    if ctx.flt.is_empty() and _no_household(ctx):
        return
    msg = ctx.t("empty.no_match")
    if not ctx.flt.is_empty():
        msg += " " + ctx.t("empty.reset_hint")
    if hint:
        msg += " " + hint
    st.info(msg, icon=":material/filter_alt_off:")


def _no_household(ctx: PageContext) -> bool:
    """True, having said why and what to do, when the data holds no household at all: a registry whose
    every row was rejected (or none loaded) left every page with "no data under the current filters"
    and no filter set."""
    text = data.call(no_household_text, ctx.lang)
    if text is None:
        return False
    st.warning(text, icon=":material/upload_file:")
    return True


def show_population(popn: str, switch: bool = True, hint: str | None = None) -> None:
    """Empty for one population (建档立卡户 or 监测对象): when the other has households under the filters,
    say so and where to switch, rather than only to widen the filters (a filter on 边缘易致贫户 leaves no
    registered household, and the page told the user to change a filter that was right). `switch`: the
    page has the population switch; `hint`: where on this page the other population shows."""
    ctx = current()
    other = population.MONITORED if popn == population.REGISTERED else population.REGISTERED
    counts = data.run(population.counts, ctx)
    n = int(counts[other].iloc[0]) if not counts.empty else 0
    if not n:
        show()
        return
    key = "empty.other_population" if switch else "empty.other_population_elsewhere"  # a page without the switch
    msg = ctx.t(key, this=ctx.t(f"population.{popn}"), n=n, other=ctx.t(f"population.{other}"))
    st.info(f"{msg} {hint}" if hint else msg, icon=":material/filter_alt_off:")


def loaded(kind: str) -> bool:
    """Whether the ledger `kind` (interventions, visits, medical_claims, rectifications) holds a row
    (`etl.history.ledgers_with_rows`, as the figure history decides it)."""
    return kind in data.call(ledgers_with_rows)


def not_loaded(kind: str) -> bool:
    """True, having said which file to load and where, when the ledger `kind` holds no row: a page of
    a ledger never loaded read "no data under the current filters" (no filter was the reason), and its
    figures 0 or 0%."""
    if loaded(kind):
        return False
    ctx = current()
    st.info(ctx.t("empty.not_loaded", kind=ctx.t(f"kind.{kind}")), icon=":material/upload_file:")
    return True


def unknown_figures(figures: dict[str, str], row: pd.Series | pd.DataFrame) -> list[str]:
    """`row` (a KPI row or a table) with each figure (column) of a ledger that holds no row blanked
    (`figures`: column -> ledger), so that it reads "—" or blank rather than 0 or 0%; returns the ledgers
    that hold no row, in `figures`' order, for `note_unknown`."""
    missing = [kind for kind in dict.fromkeys(figures.values()) if not loaded(kind)]
    for col, kind in figures.items():
        if kind in missing and col in (row.columns if isinstance(row, pd.DataFrame) else row.index):
            row[col] = float("nan")  # a number column stays one (None made it text: the CSV's 94.12% failed)
    return missing


def note_unknown(missing: list[str]) -> None:
    """One line under tiles or a table some of whose figures `unknown_figures` blanked: which ledgers hold
    no row, that "—" is not 0, and where to load them."""
    if missing:
        ctx = current()
        kinds = ctx.t("list.sep").join(ctx.t(f"kind.{k}") for k in missing)
        st.caption(ctx.t("empty.figures_not_loaded", kinds=kinds))
