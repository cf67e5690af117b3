"""指标口径 Indicator dictionary: every figure's population, numerator, denominator, date rule and source
(queries.figures), with its download.

Grouped by population: most figures share one (建档立卡户, 整改事项, …), and that sentence is the
longest of each row, so it is written once above its figures instead of cut off in every grid row.
Static tables (st.table) wrap long text, which the interactive grid does not."""

from __future__ import annotations

import streamlit as st

from queries import figures
from ui import extract, header
from ui.context import current


def main() -> None:
    ctx = current()
    header.show("dict.title", filtered=False)  # no figure's definition follows a filter
    st.markdown(ctx.t("dict.intro"))
    df = figures.frame(ctx.lang)
    for population, group in df.groupby("population", sort=False):
        st.markdown(ctx.t("dict.population_line", text=population))
        # what a leader reads first; the figure's key and its database tables last (for data staff)
        view = group.drop(columns="population").set_index("name")
        view = view[[c for c in view.columns if c not in ("key", *figures.TECHNICAL)] + ["key", *figures.TECHNICAL]]
        # counts have no denominator: a column of dashes only, squeezed to a character per line, goes
        view = view[[c for c in view.columns if not (view[c] == figures.NO_PART).all()]]
        view.index.name = ctx.t("dict.name")
        view.columns = [ctx.t(f"dict.{c}") for c in view.columns]
        st.table(view)
    labelled = df.rename(columns={c: ctx.t(f"dict.{c}") for c in df.columns})
    extract.show("dictionary", labelled, ctx.t("dict.what"), unfiltered=True)  # no filter changes it


main()
