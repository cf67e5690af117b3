"""Side by side on a wide screen, one under the other on a laptop.

A chart beside a table (or two charts) in `st.columns` gets 320–480 px of the 820 px main area of a
1280-px screen: tables scroll and bar labels crowd. `pair` puts the columns in a keyed container
(Streamlit gives it the class `st-key-<key>`), and one style rule stacks the columns of such
containers below NARROW_PX, each then taking the full width. Columns of KPI tiles (ui.figures) and
of widgets are plain `st.columns` and stay side by side.

On a phone (below PHONE_PX, where Streamlit stacks every row of columns one under the other) KPI tiles
go two to a row, across their rows: one a row, the overview's twelve tiles were four screens of a 390 px
phone before its first chart. `app_style` writes the whole app's rules once per run from the entry point: these two, a folded
sidebar out of the Tab order, check box labels wrapped.
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
_PAIR_CSS = f"""
@media (max-width: {NARROW_PX - 1}px) {{
  {", ".join(_ROW)} {{ flex-direction: column; }}
  {", ".join(r + ' > div[data-testid="stColumn"]' for r in _ROW)} {{
    width: 100% !important; flex: 1 1 100% !important; min-width: 100% !important;
  }}
}}
"""


PHONE_PX = 640  # Streamlit stacks columns at this width and below (its own breakpoint)
# A column that holds one KPI tile and nothing else (ui.figures.tile_slots; the 三率一度 tiles carry their
# verdict and basis under the number and stay a row each)
_TILE_COLUMN = ('div[data-testid="stColumn"]:has(> div[data-testid="stVerticalBlock"] > '
                'div[data-testid="stElementContainer"]:only-child > div[data-testid="stMetric"])')
# At every width a tile's words wrap rather than being cut with "…" (Streamlit keeps them on one line):
# on a 768 px tablet, four tiles a row cut 因病/因残户（含其他致贫原因）, most English labels and the 三率一度
# verdict 达标（样本未能确认）; two a row on a phone cut the delta's 相对目标 to "相…". A number takes at most
# a fifth of its tile's width a character size (Streamlit's 2.25rem from a tile of 180 px: 999,999户 fits),
# smaller in a narrower tile: at 1024 px, four tiles a row beside the sidebar cut 1,150人 to "1,15…".
_DELTA_ROW = 'div:has(> [data-testid="stMetricDeltaDescription"])'
# A page's tiles in rows of up to four (ui.figures.tile_slots), in a container keyed TILES_PREFIX…: on a
# phone its rows give way (display: contents) and the tiles flow two to a row across them, as one list;
# row by row, 3 + 3 tiles were 2 + 1 + 2 + 1. The empty slots of a short last row are hidden there.
TILES_PREFIX = "fp-tiles-"
_TILES = f'div[class*="st-key-{TILES_PREFIX}"]'
_TILE_ROWS = [f'{_TILES} > div[data-testid="stLayoutWrapper"]',
              f'{_TILES} > div[data-testid="stLayoutWrapper"] > div[data-testid="stHorizontalBlock"]',
              f'{_TILES} > div[data-testid="stHorizontalBlock"]']
_TILES_CSS = f"""
[data-testid="stMetricLabel"] [data-testid="stMarkdownContainer"], [data-testid="stMetricLabel"] p,
[data-testid="stColumn"] .stMarkdownBadge {{ white-space: normal !important; }}
[data-testid="stMetric"] {_DELTA_ROW} {{ flex-wrap: wrap; }}
[data-testid="stMetric"] {{ container-type: inline-size; }}
[data-testid="stMetricValue"] {{ font-size: min(2.25rem, 20cqw); }}
[data-testid="stMetricDeltaDescription"] [data-testid="stCaptionContainer"] {{ white-space: normal; }}
@media (max-width: {PHONE_PX}px) {{
  {_TILE_COLUMN} {{ min-width: calc(50% - 0.5rem) !important; flex: 0 1 calc(50% - 0.5rem) !important; }}
  {_TILES} {{ flex-flow: row wrap !important; }}
  {", ".join(_TILE_ROWS)} {{ display: contents !important; }}
  {_TILES} div[data-testid="stColumn"]:not(:has([data-testid="stMetric"])) {{ display: none !important; }}
}}
"""


# A folded sidebar (a phone's and a tablet's at the start, or folded by the user) is moved off the screen,
# its links and filters still in the Tab order: at 390 px the first 29 Tab presses went to places no one
# could see before reaching the button that unfolds it. Hidden, it leaves the Tab order until unfolded.
# (its help icons set their own visibility, so the rule reaches every element inside)
_FOLDED = 'section[data-testid="stSidebar"][data-collapsed="true"]'
# A check box's label wraps rather than being cut with "…": in the ledger's row of filters at 1024 px
# 只看未完成 read 只看未…, at 768 px Open items only read "Open items …".
_CHECKBOX_LABEL = '[data-testid="stCheckbox"] label [data-testid="stMarkdownContainer"]'
# Where the keyboard is, drawn (WCAG 2.4.7): Streamlit marks a focused page link with the same pale grey
# as the page shown (1.1:1 against the sidebar), a slider's thumb with a pale halo, a radio button not at
# all; a leader moving by Tab lost track. A dark ring (14:1 on white and on the sidebar's grey) around any
# focused link, button, slider, radio button or check box; text inputs keep Streamlit's coloured border.
FOCUS_INK = "#1f2933"
_FOCUS = ('a, button, summary, [role="slider"], [role="tab"], input[type="radio"], input[type="checkbox"]')
# a slider's thumb holds its (visually hidden) range input
_THUMB = '[data-testid="stSlider"] div:has(> div > input[type="range"]:focus-visible)'
_FOCUS_CSS = (f":is({_FOCUS}):focus-visible, {_THUMB} {{ outline: 2px solid {FOCUS_INK} !important; "
              "outline-offset: 2px !important; }")
# A page printed (Ctrl+P) without the sidebar: its page links and filter boxes took a fifth of A4's width
# and the page's table lost two more columns to the right edge; the page names its filters under its
# title (ui.header), so the printout still says whom it counts.
_PRINT_CSS = '@media print { section[data-testid="stSidebar"] { display: none !important; } }'
# The box of a script (`_A11Y_JS`) takes no room: as an element of the main column it added a 16 px gap
# above the page's title.
_SCRIPT_ONLY = '[data-testid="stElementContainer"]:has(> [data-testid="stHtml"] > script:only-child)'
APP_CSS = (f"<style>{_PAIR_CSS}{_TILES_CSS}{_FOLDED}, {_FOLDED} * {{ visibility: hidden !important; }} "
           f"{_CHECKBOX_LABEL}, {_CHECKBOX_LABEL} p {{ white-space: normal; }} {_SCRIPT_ONLY} {{ display: none; }} {_FOCUS_CSS} {_PRINT_CSS}</style>")


# What a screen reader needs of the page, which Streamlit's own page does not say: the language of the
# page (<html lang="en"> whatever the user chose: a Chinese voice read 乡镇 as letters, or an English one
# Chinese), and a name for each chart (an unnamed picture of numbers; `ui.charts` puts its name in the
# figure's layout.meta.name, and this names the chart's box with it, role "figure"). A constant script: the
# only value in it is the language code, from a fixed pair; names are set as attributes, never markup.
_HTML_LANG = {"zh": "zh-CN", "en": "en"}
_A11Y_JS = """<script>(function () {
  document.documentElement.lang = "LANG";
  if (window.fpChartNames) return;
  var queued = false;
  function nameCharts() {
    queued = false;
    document.querySelectorAll('[data-testid="stPlotlyChart"]').forEach(function (box) {
      var gd = box.querySelector(".js-plotly-plot");
      var name = gd && gd.layout && gd.layout.meta && gd.layout.meta.name;
      if (name && box.getAttribute("aria-label") !== name) {
        box.setAttribute("role", "figure");
        box.setAttribute("aria-label", name);
      }
    });
  }
  window.fpChartNames = new MutationObserver(function () {
    if (!queued) { queued = true; requestAnimationFrame(nameCharts); }
  });
  window.fpChartNames.observe(document.body, {childList: true, subtree: true});
  nameCharts();
})();</script>"""


def app_style(lang: str) -> None:
    """The whole app's layout rules (pairs, tiles, the folded sidebar, check boxes), written once per run
    by the entry point (`APP_CSS`): each pair and each row of tiles wrote its own copy before; and the
    page's language and its charts' names for a screen reader (`_A11Y_JS`)."""
    st.html(APP_CSS)  # style only: Streamlit puts it in the page's event container, taking no space
    st.html(_A11Y_JS.replace("LANG", _HTML_LANG["en" if lang == "en" else "zh"]), unsafe_allow_javascript=True)


def pair(key: str, spec: int | Sequence[float] = 2) -> list[DeltaGenerator]:
    """`st.columns(spec)` that stacks on a narrow window (module docstring). `key` names the pair on its
    page (unique within the page)."""
    with st.container(key=_PREFIX + key):  # its rule: APP_CSS
        return list(st.columns(spec))
