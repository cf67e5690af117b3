"""指标口径 Indicator dictionary: every figure's population, numerator, denominator, date rule and source
(queries.figures), with its download."""

from __future__ import annotations

import streamlit as st

from queries import figures
from ui import header, table
from ui.context import current


def main() -> None:
    ctx = current()
    header.show("dict.title")
    st.markdown(ctx.t("dict.intro"))
    df = figures.frame(ctx.lang)
    df.columns = [ctx.t(f"dict.{c}") for c in df.columns]
    table.show("dictionary", df, ctx.t("dict.what"), height=640)


main()
