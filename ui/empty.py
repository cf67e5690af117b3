"""The empty state: what a chart or a table shows when the filters leave nothing to show (with how to
widen them)."""

from __future__ import annotations

import streamlit as st

from ui.context import current


def show(hint: str | None = None) -> None:
    ctx = current()
    msg = ctx.t("empty.no_match")
    if not ctx.flt.is_empty():
        msg += " " + ctx.t("empty.reset_hint")
    if hint:
        msg += " " + hint
    st.info(msg, icon=":material/filter_alt_off:")
