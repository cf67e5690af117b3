"""Side by side on a wide screen, one under the other on a laptop.

A chart beside a table (or two charts) in `st.columns` gets 320–480 px of the 820 px main area of a
1280-px screen: tables scroll and bar labels crowd. `pair` puts the columns in a keyed container
(Streamlit gives it the class `st-key-<key>`), and one style rule stacks the columns of such
containers below NARROW_PX, each then taking the full width. Columns of KPI tiles (ui.figures) and
of widgets are plain `st.columns` and stay side by side.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

NARROW_PX = 1500  # window width below which a pair is stacked (1280/1366/1440 laptops; 1920 side by side)
_PREFIX = "fp-pair-"
# The pair's own columns only (its direct row, with or without Streamlit's layout wrapper): a rule on
# every row inside the pair stacked the CSV and Excel buttons of its table too
_ROW = [f'div[class*="st-key-{_PREFIX}"] > {w}div[data-testid="stHorizontalBlock"]'
        for w in ('div[data-testid="stLayoutWrapper"] > ', "")]
_CSS = f"""<style>
@media (max-width: {NARROW_PX - 1}px) {{
  {", ".join(_ROW)} {{ flex-direction: column; }}
  {", ".join(r + ' > div[data-testid="stColumn"]' for r in _ROW)} {{
    width: 100% !important; flex: 1 1 100% !important; min-width: 100% !important;
  }}
}}
</style>"""


def pair(key: str, spec: int | Sequence[float] = 2) -> list[DeltaGenerator]:
    """`st.columns(spec)` that stacks on a narrow window (module docstring). `key` names the pair on its
    page (unique within the page)."""
    st.html(_CSS)  # style only: Streamlit puts it in the page's event container, taking no space
    with st.container(key=_PREFIX + key):
        return list(st.columns(spec))
